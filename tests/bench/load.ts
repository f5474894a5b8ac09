import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const AUTOCANNON = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url));
const ROTATING = fileURLToPath(new URL('./rotating-load.ts', import.meta.url));

export type LoadResult = {
  requestsPerSecond: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** CPU time the server process used per answered request (user + system), when its pid was given. */
  serverCpuMicroseconds?: number;
};

/** User + system CPU time of a process so far, in milliseconds (Linux /proc, clock ticks of 10 ms). */
function cpuMillisecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Load from a separate process (autocannon), so the server under test has the event loop to itself.
 * With `bodiesFile` (JSON lines), each request sends the next body.
 */
export function autocannon(
  url: string,
  options: { connections: number; seconds: number; headers?: Record<string, string>; method?: string; body?: string; bodiesFile?: string; serverPid?: number },
): Promise<LoadResult> {
  const cpuBefore = options.serverPid === undefined ? 0 : cpuMillisecondsOf(options.serverPid);
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
      const answered = r.requests.total as number;
      const serverCpuMicroseconds = options.serverPid === undefined || answered === 0 ? undefined : ((cpuMillisecondsOf(options.serverPid) - cpuBefore) * 1000) / answered;
      resolve({ requestsPerSecond: r.requests.average, p99Ms: r.latency.p99, errors: r.errors, non2xx: r.non2xx, ...(serverCpuMicroseconds === undefined ? {} : { serverCpuMicroseconds }) });
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
