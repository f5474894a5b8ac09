import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';

export type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: string; fingerprint: string };

export const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

/** A plain HTTPS client that trusts exactly the pinned certificate fingerprint, as our clients do. */
export function call(
  url: string,
  options: { method?: string; auth?: string; body?: string; headers?: Record<string, string>; pin?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        rejectUnauthorized: false,
        headers: {
          ...(options.auth ? { authorization: options.auth } : {}),
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        agent: false,
      },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        if (options.pin && fingerprint !== options.pin) {
          res.destroy();
          reject(new Error(`certificate ${fingerprint} is not the pinned ${options.pin}`));
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, fingerprint }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
