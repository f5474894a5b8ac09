// The agents feature's benchmarks (issue 6): discovery over TLS with 2,000 SVMs and 100,000 known
// VMs, SVM report ingest with 50 periods each (both against a bare Fastify HTTPS route returning
// the same bytes, load from a separate process), and selection alone among 2,000 SVMs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PERIOD_COLLECTION_KEY } from '../../main/services/svm-service.ts';
import { SvmCandidateIndex } from '../../main/domain/svm-candidate-index.ts';
import { DEFAULT_SELECTION_SETTINGS, agentFactsFromRequest, selectSvms, svmRecordFromReport, type AgentFacts } from '../../main/domain/svm-selection.ts';
import { dataFolder } from '../../main/store/data-folder.ts';
import { fileDataKeyProvider } from '../../main/store/data-key.ts';
import { openStore } from '../../main/store/store.ts';
import { discoverRequest, svmReport, uuid } from '../support/agent-fixtures.ts';
import { basic, call } from '../support/https-client.ts';
import { passwordFileArgs, runCli, startServe, tempDir, testPasswords } from '../support/lightkeeper-process.ts';
import { callgrindMissing, countPerRequest, startCounted, type InstructionCount } from './instruction-count.ts';
import { autocannon, median, startPortPrinter, type LoadResult } from './load.ts';

type Row = string[];
type BenchResult = { title: string; header: string[]; rows: Row[] };
type LoadOptions = { rounds: number; seconds: number; connections: number };

const HYPERVISORS = 200;
/**
 * The calibration series: the bare route spending that many microseconds of CPU per request first.
 * It shows where on this machine any route falls to a given ratio, whatever its work is; the row
 * of our server answering fixed bytes shows how much of that the parts around discovery
 * (authentication, validation, routing) already take. On this guest a write that wakes the
 * sleeping load client costs the server some 9 µs in the kernel (perf:
 * `_raw_spin_unlock_irqrestore` under `sock_def_readable`), against under 2 µs when the client is
 * kept busy by a faster server: the req/s ratio falls faster than the work grows.
 */
const DISCOVERY_CALIBRATION_MICROSECONDS = [5, 10, 20];
const path = (n: number) => ({ kind: 'virtualization' as const, hypervisor: `hv-${n % HYPERVISORS}`, cluster: `cl-${n % 20}`, datacenter: 'dc-1' });

/** A set-up data folder, with 100,000 agents that have asked before and, for ingest, collection on. */
async function preparedFolder(knownVms: number) {
  const dir = tempDir('lk-bench-');
  const pw = testPasswords('bench');
  const setup = await runCli(['setup', '--data', dir, ...passwordFileArgs(pw)]);
  if (setup.code !== 0) throw new Error(`setup failed: ${setup.stderr}`);
  const folder = dataFolder(dir);
  const store = await openStore(folder, fileDataKeyProvider(folder.dataKey), { create: false });
  const at = Date.now();
  for (let start = 0; start < knownVms; start += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, knownVms - start) }, (_, i) => {
      const request = discoverRequest(start + i, { path: path(start + i) });
      return { vmBiosId: request.vmBiosId, vmName: request.vmName, lastAskedAt: at, request, offeredSvmId: null, offeredSequence: -1, outcome: 'svms' as const };
    });
    await store.agents.saveBatch(batch);
  }
  await store.settings.set(PERIOD_COLLECTION_KEY, true);
  store.close();
  return { dir, pw };
}

async function reportSvms(url: string, auth: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 50) {
    const replies = await Promise.all(
      Array.from({ length: Math.min(50, count - start) }, (_, i) => call(`${url}/api/agents/v1/svm/report`, { method: 'POST', auth, body: JSON.stringify(svmReport(start + i, { path: path(start + i), connectedAgents: (start + i) % 97 })) })),
    );
    for (const r of replies) if (r.status !== 200) throw new Error(`report failed: ${r.status} ${r.body}`);
  }
}

type Server = { url: string; pid: number | undefined; auth?: string };
/** One series of rounds: a server and what its rows say it is. */
type Series = { label: string; server: Server };

/** The bare reference route; with `workMicroseconds`, spending that much CPU per request first. */
function startBare(route: string, answer: string, workMicroseconds?: number): Promise<{ server: Server; stop: () => void }> {
  const args = [fileURLToPath(new URL('./bare-https-server.ts', import.meta.url)), route, 'application/json; charset=utf-8', answer];
  return startPortPrinter(workMicroseconds === undefined ? args : [...args, String(workMicroseconds)]).then(({ child, port }) => ({
    server: { url: `https://127.0.0.1:${port}`, pid: child.pid },
    stop: () => child.kill('SIGKILL'),
  }));
}

/**
 * Rounds alternate over the series (the reference is the second), after one unmeasured round each
 * so that no server is measured while its JIT is still warming up. Each series' results, in order.
 */
async function alternating(options: LoadOptions, series: Series[], route: string, body: { body: string } | { bodiesFile: string }): Promise<LoadResult[][]> {
  const load = { connections: options.connections, method: 'POST', ...body };
  const run = ({ url, pid, auth }: Server, seconds: number) =>
    autocannon(`${url}${route}`, { ...load, seconds, ...(pid ? { serverPid: pid } : {}), headers: { ...(auth ? { authorization: auth } : {}), 'content-type': 'application/json' } });
  for (const s of series) await run(s.server, 2);
  const results: LoadResult[][] = series.map(() => []);
  for (let i = 0; i < options.rounds; i++) for (const [k, s] of series.entries()) results[k]!.push(await run(s.server, options.seconds));
  for (const r of results.flat()) if (r.errors || r.non2xx) throw new Error(`requests failed during the run: ${JSON.stringify(r)}`);
  return results;
}

/**
 * Ratios are the median of each round's ratio to the reference round run next to it: the
 * machine's speed drifts by half over minutes, and a round compared with its neighbour sees the
 * same phase, where the medians of two whole series may come from different ones.
 */
function ratioRows(series: Series[], results: LoadResult[][], reference: LoadResult[]): Row[] {
  return series.map(({ label }, k) => {
    const rounds = results[k]!;
    const rps = median(rounds.map((r) => r.requestsPerSecond));
    const p99 = median(rounds.map((r) => r.p99Ms));
    const rpsRatio = median(rounds.map((r, i) => r.requestsPerSecond / reference[i]!.requestsPerSecond));
    const p99Ratio = median(rounds.map((r, i) => r.p99Ms / Math.max(reference[i]!.p99Ms, 0.001)));
    const cpu = rounds.every((r) => r.serverCpuMicroseconds !== undefined) ? median(rounds.map((r) => r.serverCpuMicroseconds!)).toFixed(0) : '-';
    return [label, rps.toFixed(0), p99.toFixed(1), `${rpsRatio.toFixed(2)}×`, `${p99Ratio.toFixed(2)}×`, cpu];
  });
}

/**
 * 2,000 of the known VMs, spread over all of them, ask in turn as a fleet of Light Agents would.
 * Every 50th VM alone would sit on 4 of the 200 hypervisors (paths repeat every 200 VMs); the
 * offset spreads the askers over all of them, as a real fleet is, so each answer reads SVMs of its
 * own hypervisor and not the same 40 every time.
 */
function askerBodies(knownVms: number): string[] {
  const askers = Math.min(2000, knownVms);
  const vm = (i: number) => (Math.floor((i * knownVms) / askers) + (i % HYPERVISORS)) % knownVms;
  return Array.from({ length: askers }, (_, i) => JSON.stringify(discoverRequest(vm(i), { path: path(vm(i)) })));
}

const DISCOVER = '/api/agents/v1/agent/discover';

export async function discoveryBench(options: LoadOptions & { svms: number; knownVms: number }): Promise<BenchResult> {
  const { dir, pw } = await preparedFolder(options.knownVms);
  const fixedFolder = await preparedFolder(options.knownVms);
  const ours = await startServe(['--data', dir, '--port', '0', '--log-level', 'warn']);
  const stops: Array<() => void> = [() => ours.child.kill('SIGKILL')];
  try {
    await reportSvms(ours.url, basic('svm', pw.svm), options.svms);
    const auth = basic('agent', pw.agent);
    // The reference gets the same bodies.
    const bodies = askerBodies(options.knownVms);
    const askers = bodies.length;
    const bodiesFile = join(dir, 'discover-bodies.jsonl');
    writeFileSync(bodiesFile, bodies.join('\n'));
    const sample = await call(`${ours.url}${DISCOVER}`, { method: 'POST', auth, body: JSON.stringify(discoverRequest(4242, { path: path(4242) })) });
    if (sample.status !== 200 || JSON.parse(sample.body).svms.length !== 16) throw new Error(`unexpected discovery answer: ${sample.status} ${sample.body.slice(0, 200)}`);
    const answerFile = join(dir, 'sample-answer.json');
    writeFileSync(answerFile, sample.body);
    const fixed = await startPortPrinter([fileURLToPath(new URL('./fixed-answer-server.ts', import.meta.url)), fixedFolder.dir, answerFile]);
    stops.push(() => fixed.child.kill('SIGKILL'));
    const fixedUrl = `https://127.0.0.1:${fixed.port}`;
    await reportSvms(fixedUrl, basic('svm', fixedFolder.pw.svm), options.svms);
    const bare = await startBare(DISCOVER, sample.body);
    stops.push(bare.stop);
    const series: Series[] = [
      { label: 'lightkeeper', server: { url: ours.url, pid: ours.child.pid, auth } },
      { label: 'bare fastify (the reference)', server: bare.server },
      { label: 'lightkeeper answering fixed bytes: authentication, validation, routing, no discovery', server: { url: fixedUrl, pid: fixed.child.pid, auth: basic('agent', fixedFolder.pw.agent) } },
    ];
    for (const microseconds of DISCOVERY_CALIBRATION_MICROSECONDS) {
      const busy = await startBare(DISCOVER, sample.body, microseconds);
      stops.push(busy.stop);
      series.push({ label: `bare fastify spending ${microseconds} µs CPU per request (calibration)`, server: busy.server });
    }
    const results = await alternating(options, series, DISCOVER, { bodiesFile });
    return {
      title: `POST ${DISCOVER} (Basic auth as agent, TLS), ${options.svms} SVMs on ${HYPERVISORS} hypervisors, ${options.knownVms} known VMs of which ${askers} ask in turn, 16 SVMs per answer (${sample.body.length} bytes), vs a bare Fastify HTTPS route taking the same bodies and returning the same bytes; ${options.connections} connections, ${options.rounds} × ${options.seconds} s alternating; ratios are the median of the rounds' ratios`,
      header: ['', 'req/s (median)', 'p99 ms (median)', 'req/s ratio', 'p99 ratio', 'server CPU µs/request'],
      rows: ratioRows(series, results, results[1]!),
    };
  } finally {
    for (const stop of stops) stop();
  }
}

/**
 * Discovery's machine instructions per request, ours and the bare route's, counted by callgrind
 * (see instruction-count.ts): a figure this machine's noise does not move. Our server runs
 * without its background timers (untimed-server.ts); both count the event loop's thread (JS,
 * parsing, TLS) and all threads (also the JIT compiler and concurrent GC marking). The event
 * loop's column is the one to compare: under valgrind a request takes ~100× longer, so V8's
 * time-driven concurrent marking of our 100,000-agent heap lands in the window, where a real run
 * at full load shows no major GC at all (`--trace-gc`). Neither column holds kernel time.
 */
export async function discoveryInstructionsBench(options: { svms: number; knownVms: number; warm: number; measured: number }): Promise<BenchResult> {
  const header = ['', 'instructions per request, event loop thread', 'all threads', 'bare / ours (event loop)', 'requests counted'];
  const title = `POST ${DISCOVER} as in the discovery benchmark (${options.svms} SVMs, ${options.knownVms} known VMs, 2,000 asking in turn, 50 connections), machine instructions per request counted by callgrind over ${options.measured} requests after ${options.warm} uncounted, vs the bare Fastify HTTPS route returning the same bytes`;
  const missing = callgrindMissing();
  if (missing) return { title, header, rows: [['not measured', missing, '', '', '']] };
  const { dir, pw } = await preparedFolder(options.knownVms);
  const bodies = askerBodies(options.knownVms);
  const window = { bodies, warm: options.warm, settle: 400, measured: options.measured };
  const ours = await startCounted([fileURLToPath(new URL('./untimed-server.ts', import.meta.url)), dir], /URL\s+https:\/\/\S+/);
  let oursCount: InstructionCount;
  let sample: string;
  try {
    const url = /URL\s+(https:\/\/\S+)/.exec(ours.output())![1]!;
    await reportSvms(url, basic('svm', pw.svm), options.svms);
    const auth = basic('agent', pw.agent);
    const answer = await call(`${url}${DISCOVER}`, { method: 'POST', auth, body: JSON.stringify(discoverRequest(4242, { path: path(4242) })) });
    if (answer.status !== 200 || JSON.parse(answer.body).svms.length !== 16) throw new Error(`unexpected discovery answer: ${answer.status} ${answer.body.slice(0, 200)}`);
    sample = answer.body;
    oursCount = await countPerRequest(ours, `${url}${DISCOVER}`, { ...window, headers: { authorization: auth } });
  } finally {
    ours.stop();
  }
  const bare = await startCounted([fileURLToPath(new URL('./bare-https-server.ts', import.meta.url)), DISCOVER, 'application/json; charset=utf-8', sample], /PORT \d+/);
  let bareCount: InstructionCount;
  try {
    const port = /PORT (\d+)/.exec(bare.output())![1];
    bareCount = await countPerRequest(bare, `https://127.0.0.1:${port}${DISCOVER}`, { ...window, headers: {} });
  } finally {
    bare.stop();
  }
  const row = (label: string, c: InstructionCount): Row => [label, c.mainThread.toFixed(0), c.allThreads.toFixed(0), `${(bareCount.mainThread / c.mainThread).toFixed(2)}×`, String(c.requests)];
  return { title, header, rows: [row('lightkeeper (without its timers)', oursCount), row('bare fastify (the reference)', bareCount)] };
}

export async function ingestBench(options: LoadOptions & { periods: number }): Promise<BenchResult> {
  const { dir, pw } = await preparedFolder(0);
  const ours = await startServe(['--data', dir, '--port', '0', '--log-level', 'warn']);
  try {
    const auth = basic('svm', pw.svm);
    const start = new Date(Date.now() - 3_600_000).toISOString();
    const end = new Date().toISOString();
    const periods = Array.from({ length: options.periods }, (_, i) => ({ vmBiosId: uuid(0xa9, i), start, end: i % 2 ? end : null }));
    const body = JSON.stringify(svmReport(7, { connectionPeriods: periods }));
    const sample = await call(`${ours.url}/api/agents/v1/svm/report`, { method: 'POST', auth, body });
    if (sample.status !== 200) throw new Error(`report failed: ${sample.status} ${sample.body}`);
    const route = '/api/agents/v1/svm/report';
    const bare = await startBare(route, sample.body);
    const series: Series[] = [
      { label: 'lightkeeper', server: { url: ours.url, pid: ours.child.pid, auth } },
      { label: 'bare fastify (the reference)', server: bare.server },
    ];
    const results = await alternating(options, series, route, { body }).finally(bare.stop);
    return {
      title: `POST /api/agents/v1/svm/report with ${options.periods} connection periods (${body.length} bytes; collection on, each report one SQLite transaction committed before the answer), vs a bare Fastify HTTPS route answering the same bytes; ${options.connections} connections, ${options.rounds} × ${options.seconds} s alternating; ratios are the median of the rounds' ratios`,
      header: ['', 'reports/s (median)', 'p99 ms (median)', 'reports/s ratio', 'p99 ratio', 'server CPU µs/report'],
      rows: ratioRows(series, results, results[1]!),
    };
  } finally {
    ours.child.kill('SIGKILL');
  }
}

/** selectSvms alone for one agent among `svms` SVMs, default settings (best 16 sent). */
export async function selectionBench(options: { svms: number; calls: number }): Promise<BenchResult> {
  const now = Date.now();
  const records = Array.from({ length: options.svms }, (_, i) => svmRecordFromReport(svmReport(i, { path: path(i), connectedAgents: i % 97, averageLoad: i % 13 }), now - 1000, 300));
  const sample = (n: number, extra: Parameters<typeof discoverRequest>[1] = {}) => agentFactsFromRequest(discoverRequest(n, { path: path(n), ...extra }), null, null);
  const index = new SvmCandidateIndex();
  for (const r of records) index.put({ ...r });
  const explained = (agent: AgentFacts) => () => selectSvms(agent, records, DEFAULT_SELECTION_SETTINGS, now);
  const cases: Array<[string, () => unknown]> = [
    ['standard algorithm, local SVMs exist', explained(sample(1))],
    ['the same without reasons', () => selectSvms(sample(1), records, DEFAULT_SELECTION_SETTINGS, now, { explain: false })],
    ['the same from the index (discovery)', () => index.select(sample(1), DEFAULT_SELECTION_SETTINGS, now)],
    ['extended, scope cluster', explained(sample(2, { algorithm: { kind: 'extended', scope: 'cluster' } }))],
    ['tagged agent (every SVM rejected)', explained(sample(3, { connectionTag: 'gold' }))],
  ];
  const rows: Row[] = [];
  for (const [label, select] of cases) {
    for (let i = 0; i < 2000; i++) select();
    // Wall time, and CPU time: on a shared machine the wall-time tail is mostly other processes'
    // time slices, which the process's own CPU time does not count.
    const wall = new Float64Array(options.calls);
    const cpu = new Float64Array(options.calls);
    for (let i = 0; i < options.calls; i++) {
      const c = process.cpuUsage();
      const t = process.hrtime.bigint();
      select();
      wall[i] = Number(process.hrtime.bigint() - t) / 1000;
      const d = process.cpuUsage(c);
      cpu[i] = d.user + d.system;
    }
    const at = (xs: Float64Array, q: number) => xs.sort()[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
    rows.push([label, at(wall, 0.5).toFixed(1), at(wall, 0.99).toFixed(1), at(cpu, 0.5).toFixed(0), at(cpu, 0.99).toFixed(0), `${(at(wall, 0.99) / 1000).toFixed(3)}×`]);
  }
  return {
    title: `selectSvms (svm-info, with reasons) and the discovery index for one agent among ${options.svms} SVMs, ${options.calls} calls each, in-process; reference: the 1 ms goal for p99`,
    header: ['', 'p50 µs (wall)', 'p99 µs (wall)', 'p50 µs (CPU)', 'p99 µs (CPU)', 'wall p99 / 1 ms'],
    rows,
  };
}
