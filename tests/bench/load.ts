import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const AUTOCANNON = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url));
const ROTATING = fileURLToPath(new URL('./rotating-load.ts', import.meta.url));

export type LoadResult = { requestsPerSecond: number; p99Ms: number; errors: number; non2xx: number };

/**
 * Load from a separate process (autocannon), so the server under test has the event loop to itself.
 * With `bodiesFile` (JSON lines), each request sends the next body.
 */
export function autocannon(
  url: string,
  options: { connections: number; seconds: number; headers?: Record<string, string>; method?: string; body?: string; bodiesFile?: string },
): Promise<LoadResult> {
  const args = [AUTOCANNON, '-j', '-c', String(options.connections), '-d', String(options.seconds)];
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push('-H', `${k}=${v}`);
  if (options.method) args.push('-m', options.method);
  if (options.body) args.push('-b', options.body);
  args.push(url);
  if (options.bodiesFile) {
    const { connections, seconds, method = 'POST', headers = {}, bodiesFile } = options;
    args.splice(0, args.length, ROTATING, url, JSON.stringify({ connections, seconds, method, headers, bodiesFile }));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon failed (${code}): ${err}`));
      const r = JSON.parse(out);
      resolve({ requestsPerSecond: r.requests.average, p99Ms: r.latency.p99, errors: r.errors, non2xx: r.non2xx });
    });
  });
}

/** Starts a child that prints `PORT n` when ready. */
export function startPortPrinter(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
