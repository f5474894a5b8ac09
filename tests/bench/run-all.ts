// `npm run bench`: each benchmark prints its figures beside a reference measured in the same run.
// Figures, not verdicts: nothing here passes or fails on speed.
import Table from 'cli-table3';
import { discoveryBench, ingestBench, selectionBench } from './agents.bench.ts';
import { healthBench } from './health.bench.ts';
import { reportBench } from './report.bench.ts';
import { sshUploadBench } from './ssh-upload.bench.ts';
import { svmDeployBench } from './svm-deploy.bench.ts';

const quick = process.argv.includes('--quick');
const load = { rounds: quick ? 1 : 3, seconds: quick ? 2 : 5, connections: 50 };
const benches = [
  () => healthBench(load),
  () => selectionBench({ svms: 2000, calls: quick ? 2000 : 20_000 }),
  () => discoveryBench({ ...load, svms: 2000, knownVms: 100_000 }),
  () => ingestBench({ ...load, periods: 50 }),
  () => reportBench({ periods: quick ? 500_000 : 10_000_000, rounds: quick ? 1 : 3 }),
  () => sshUploadBench({ rounds: quick ? 1 : 3, mib: 200 }),
  () => svmDeployBench({ svms: quick ? 3 : 10, parallelism: 4 }),
];

for (const bench of benches) {
  const r = await bench();
  const table = new Table({ head: r.header });
  table.push(...r.rows);
  console.log(`\n${r.title}\n${table.toString()}`);
}
