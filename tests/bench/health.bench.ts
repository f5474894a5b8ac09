// Authenticated /api/v1/health over TLS against a bare Fastify HTTPS route returning the same bytes,
// measured in the same run, rounds alternating, load from a separate process.
import { fileURLToPath } from 'node:url';
import { basic, call } from '../support/https-client.ts';
import { passwordFileArgs, runCli, startServe, tempDir, testPasswords } from '../support/lightkeeper-process.ts';
import { autocannon, median, startPortPrinter, type LoadResult } from './load.ts';

export async function healthBench(options: { rounds: number; seconds: number; connections: number }) {
  const dir = tempDir('lk-bench-');
  const pw = testPasswords('bench');
  const setup = await runCli(['setup', '--data', dir, ...passwordFileArgs(pw)]);
  if (setup.code !== 0) throw new Error(`setup failed: ${setup.stderr}`);
  const ours = await startServe(['--data', dir, '--port', '0', '--log-level', 'warn']);
  const auth = basic('admin', pw.admin);
  const sample = await call(`${ours.url}/api/v1/health`, { auth });
  const bare = await startPortPrinter([fileURLToPath(new URL('./bare-https-server.ts', import.meta.url)), '/api/v1/health', 'application/json; charset=utf-8', sample.body]);
  const bareSample = await call(`https://127.0.0.1:${bare.port}/api/v1/health`);
  if (bareSample.body !== sample.body) throw new Error('the reference does not return the same bytes');
  try {
    const a: LoadResult[] = [];
    const b: LoadResult[] = [];
    const load = { connections: options.connections, seconds: options.seconds };
    for (let i = 0; i < options.rounds; i++) {
      a.push(await autocannon(`${ours.url}/api/v1/health`, { ...load, headers: { authorization: auth } }));
      b.push(await autocannon(`https://127.0.0.1:${bare.port}/api/v1/health`, load));
    }
    for (const r of [...a, ...b]) if (r.errors || r.non2xx) throw new Error(`requests failed during the run: ${JSON.stringify(r)}`);
    const ours50 = median(a.map((r) => r.requestsPerSecond));
    const bare50 = median(b.map((r) => r.requestsPerSecond));
    const oursP99 = median(a.map((r) => r.p99Ms));
    const bareP99 = median(b.map((r) => r.p99Ms));
    return {
      title: `GET /api/v1/health (Basic auth as admin, TLS) vs a bare Fastify HTTPS route, same bytes; ${options.connections} connections, ${options.rounds} × ${options.seconds} s alternating`,
      rows: [
        ['lightkeeper', ours50.toFixed(0), oursP99.toFixed(1)],
        ['bare fastify', bare50.toFixed(0), bareP99.toFixed(1)],
        ['ratio', `${(ours50 / bare50).toFixed(2)}×`, `${(oursP99 / Math.max(bareP99, 0.001)).toFixed(2)}×`],
      ],
      header: ['', 'req/s (median)', 'p99 ms (median)'],
    };
  } finally {
    ours.child.kill('SIGKILL');
    bare.child.kill('SIGKILL');
  }
}
