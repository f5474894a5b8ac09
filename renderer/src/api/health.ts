import type { Health } from '../../../main/contract/health.ts';

/**
 * The console reaches the server only over HTTPS; this is its first call, typed from the same
 * contract the server answers with. Credentials are the caller's: the console never stores them.
 */
export async function fetchHealth(baseUrl: string, authorization: string): Promise<Health> {
  const res = await fetch(`${baseUrl}/api/v1/health`, { headers: { authorization } });
  if (!res.ok) throw new Error(`The server answered ${res.status} to /api/v1/health.`);
  return (await res.json()) as Health;
}
