// Counting machine instructions per request with callgrind (valgrind): the same work gives the same
// count however busy the machine is, where its clocks on this kind of host swing by half between
// minutes (the host's time is billed to our process). Slow (a request takes ~100× longer), so it
// counts a window of requests from one load run: instrumentation goes on after the warm-up, the
// counters are zeroed after some more requests and dumped after the measured ones; TLS handshakes
// and JIT warm-up stay outside the window.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { tempDir } from '../support/lightkeeper-process.ts';

export type InstructionCount = { requests: number; mainThread: number; allThreads: number };

/** Why callgrind cannot run here, or undefined when it can. */
export function callgrindMissing(): string | undefined {
  const probe = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'valgrind is not installed (Debian: apt-get install valgrind)';
}

type Counted = { pid: number; output: () => string; stop: () => void; dumps: string };

/** Starts `node ARGS` under callgrind with instrumentation off; resolves once READY shows in its output. */
export function startCounted(args: string[], ready: RegExp): Promise<Counted> {
  const dumps = tempDir('lk-callgrind-');
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', '--smc-check=all-non-file', `--callgrind-out-file=${dumps}/cg.out`, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let started = false;
    const onData = (d: Buffer) => {
      out += d;
      if (!started && ready.test(out)) {
        started = true;
        resolve({ pid: child.pid!, output: () => out, stop: () => child.kill('SIGKILL'), dumps });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => started || reject(new Error(`node ${args.join(' ')} under callgrind exited with ${code}:\n${out.slice(-2000)}`)));
  });
}

/** Totals of the last dump, per thread file (`cg.out.N-TT`); thread 01 is the event loop. */
function dumpTotals(dumps: string): { mainThread: number; allThreads: number } {
  const files = readdirSync(dumps).filter((f) => /^cg\.out\.\d+-\d+$/.test(f));
  const last = Math.max(...files.map((f) => Number(/\.(\d+)-/.exec(f)![1])));
  let mainThread = 0;
  let allThreads = 0;
  for (const f of files.filter((name) => name.startsWith(`cg.out.${last}-`))) {
    const total = Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dumps, f), 'utf8'))?.[1] ?? 0);
    allThreads += total;
    if (f.endsWith('-01')) mainThread = total;
  }
  return { mainThread, allThreads };
}

/**
 * Instructions per request over `measured` requests of one load run (50 connections, bodies in
 * turn), after `warm` requests uncounted and `settle` counted but zeroed.
 */
export async function countPerRequest(
  server: Counted,
  url: string,
  options: { headers: Record<string, string>; bodies: string[]; warm: number; settle: number; measured: number },
): Promise<InstructionCount> {
  const { warm, settle, measured } = options;
  const control = (command: string) => execFileSync('callgrind_control', [command, String(server.pid)], { stdio: 'ignore' });
  let answered = 0;
  let zeroedAt = 0;
  let requests = 0;
  const run = autocannon({
    url,
    connections: 50,
    amount: warm + settle + measured + 100,
    timeout: 120,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    requests: options.bodies.map((body) => ({ method: 'POST' as const, body })),
  });
  // The control commands run between two responses: the window is whole requests, give or take
  // the ones in flight at each end (the same number at both, so they cancel out).
  (run as unknown as { on(event: 'response', listener: () => void): void }).on('response', () => {
    answered++;
    if (answered === warm) control('--instr=on');
    else if (answered === warm + settle) {
      control('--zero');
      zeroedAt = answered;
    } else if (answered === warm + settle + measured) {
      control('--dump');
      requests = answered - zeroedAt;
    }
  });
  const result = await (run as unknown as Promise<autocannon.Result>);
  if (result.errors || result.non2xx) throw new Error(`requests failed while counting instructions: ${result.errors} errors, ${result.non2xx} non-2xx`);
  // callgrind writes the dump from its own thread once the command has been taken.
  for (let i = 0; i < 100 && !readdirSync(server.dumps).some((f) => /^cg\.out\.\d+-01$/.test(f)); i++) await new Promise((r) => setTimeout(r, 200));
  const totals = dumpTotals(server.dumps);
  return { requests, mainThread: totals.mainThread / requests, allThreads: totals.allThreads / requests };
}
