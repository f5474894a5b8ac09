// `npm run bench`: each benchmark prints its figures beside a reference measured in the same run.
// Figures, not verdicts: nothing here passes or fails on speed.
import Table from 'cli-table3';
import { discoveryBench, discoveryInstructionsBench, ingestBench, selectionBench } from './agents.bench.ts';
import { consoleBench } from './console.bench.ts';
import { healthBench } from './health.bench.ts';
import { reportBench } from './report.bench.ts';
import { sshUploadBench } from './ssh-upload.bench.ts';
import { svmDeployBench } from './svm-deploy.bench.ts';

// `npm run bench -- --quick` for short runs; `-- --only report,health` for some benchmarks only.
const quick = process.argv.includes('--quick');
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? process.argv[process.argv.indexOf('--only') + 1];
const only = process.argv.includes('--only') || onlyArg ? new Set((onlyArg ?? '').split(',')) : undefined;
const load = { rounds: quick ? 1 : 3, seconds: quick ? 2 : 5, connections: 50 };
const benches = {
  health: () => healthBench(load),
  selection: () => selectionBench({ svms: 2000, calls: quick ? 2000 : 20_000 }),
  // More, shorter rounds: its ratio is the median of the rounds' ratios (see ratioRows).
  discovery: () => discoveryBench({ ...load, ...(quick ? {} : { rounds: 5, seconds: 4 }), svms: 2000, knownVms: 100_000 }),
  // The same work counted in machine instructions (callgrind), which this machine's noise does not move.
  'discovery-instructions': () => discoveryInstructionsBench({ svms: 2000, knownVms: 100_000, warm: quick ? 2000 : 6000, measured: quick ? 500 : 2000 }),
  ingest: () => ingestBench({ ...load, periods: 50 }),
  report: () => reportBench({ periods: quick ? 500_000 : 10_000_000, rounds: quick ? 1 : 3 }),
  upload: () => sshUploadBench({ rounds: quick ? 1 : 3, mib: 200 }),
  deploy: () => svmDeployBench({ svms: quick ? 3 : 10, parallelism: 4 }),
  console: () => consoleBench({ tenants: 10_000, reference: 10, loads: quick ? 1 : 3 }),
};
const unknown = [...(only ?? [])].filter((n) => !(n in benches));
if (unknown.length) throw new Error(`No benchmark ${unknown.join(', ')}; there are ${Object.keys(benches).join(', ')}.`);

for (const [name, bench] of Object.entries(benches)) {
  if (only && !only.has(name)) continue;
  const r = await bench();
  const table = new Table({ head: r.header });
  table.push(...r.rows);
  console.log(`\n${r.title}\n${table.toString()}`);
}
