// A full protection report of N generated periods: `lightkeeper report --all` (a whole process,
// Node start-up included) against Debian's sqlite3 CLI exporting the same rows with the same query
// to CSV, in the same run, runs alternating; peak memory of our process from /usr/bin/time.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPORT_LINES_SQL } from '../../main/store/sqlite-protection-reports.ts';
import { openDatabase } from '../../main/store/database.ts';
import { passwordFileArgs, runCli, tempDir, testPasswords } from '../support/lightkeeper-process.ts';
import { median } from './load.ts';

const CLI = fileURLToPath(new URL('../../bin/lightkeeper.js', import.meta.url));
const T0 = Date.UTC(2026, 0, 1);
const H = 3_600_000;

type Run = { seconds: number; cpuSeconds: number; maxRssMiB: number };

function timed(cmd: string, args: string[]): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const [seconds, user, sys, kib] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number, number];
  return { seconds, cpuSeconds: user + sys, maxRssMiB: kib / 1024 };
}

/** Lines of a file, counted in chunks: the two tools quote empty fields differently, so bytes differ. */
function lineCount(file: string): number {
  const r = spawnSync('wc', ['-l', file], { encoding: 'utf8' });
  return Number(r.stdout.trim().split(' ')[0]);
}

export async function reportBench(options: { periods: number; rounds: number }) {
  for (const tool of ['/usr/bin/sqlite3', '/usr/bin/time']) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install -y sqlite3 time`);
  }
  const dir = tempDir('lk-bench-report-');
  const setup = await runCli(['setup', '--data', dir, ...passwordFileArgs(testPasswords('bench'))]);
  if (setup.code !== 0) throw new Error(setup.stderr);
  const dbFile = join(dir, 'lightkeeper.sqlite');
  const { db } = openDatabase(dbFile);
  // A large page cache while generating: ten million rows go into four indexes.
  db.exec('PRAGMA cache_size = -2000000');
  // 50 periods per VM, in key order, each 10 minutes long, one an hour.
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${options.periods - 1})
    INSERT INTO svm_connection_periods (svm_id, vm_bios_id, start_at, end_at)
    SELECT printf('svm-%d', i % 7), printf('10000000-0000-4000-8000-%012d', i / 50), ${T0} + (i % 50) * ${H} + (i / 50) % 1000, ${T0} + (i % 50) * ${H} + 600000 FROM n`);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  const from = T0;
  const to = T0 + 60 * 24 * H;
  const vendor = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  const ours = join(dir, 'ours.csv');
  const theirs = join(dir, 'sqlite3.csv');
  const sqliteArgs = [
    '-batch',
    dbFile,
    '.mode csv',
    '.separator ";" "\\r\\n"',
    `.parameter set :from ${from}`,
    `.parameter set :to ${to}`,
    `.parameter set :open_until ${to}`,
    '.parameter set :tenant NULL',
    `.once ${theirs}`,
    REPORT_LINES_SQL.replace(/--[^\n]*\n/g, '\n').replace(/\s+/g, ' ').trim(),
  ];
  const a: Run[] = [];
  const b: Run[] = [];
  for (let i = 0; i < options.rounds; i++) {
    a.push(timed(process.execPath, [CLI, 'report', '--data', dir, '--all', '--from', vendor(from), '--to', vendor(to), '--out', ours]));
    b.push(timed('/usr/bin/sqlite3', sqliteArgs));
  }
  const lines = [lineCount(ours), lineCount(theirs)];
  const idle = timed(process.execPath, [CLI, 'version']);
  const m = (runs: Run[], k: keyof Run) => median(runs.map((r) => r[k]));
  const row = (name: string, runs: Run[], file: string, n: number) => [name, m(runs, 'seconds').toFixed(2), m(runs, 'cpuSeconds').toFixed(2), m(runs, 'maxRssMiB').toFixed(0), (statSync(file).size / 2 ** 20).toFixed(0), n.toLocaleString('en')];
  return {
    title: `Full protection report of ${options.periods.toLocaleString('en')} periods to CSV: lightkeeper report (whole process) vs the sqlite3 CLI, same query, ${options.rounds} alternating runs${lines[0] === lines[1] ? '' : ' — NOTE: the two files have different line counts'}. For scale, \`lightkeeper version\` alone: ${idle.cpuSeconds.toFixed(2)} CPU s, ${idle.maxRssMiB.toFixed(0)} MiB peak.`,
    header: ['', 'wall s (median)', 'CPU s (median)', 'peak memory MiB', 'file MiB', 'lines'],
    rows: [
      row('lightkeeper report', a, ours, lines[0]!),
      row('sqlite3 CLI', b, theirs, lines[1]!),
      ['ratio', `${(m(a, 'seconds') / m(b, 'seconds')).toFixed(2)}×`, `${(m(a, 'cpuSeconds') / m(b, 'cpuSeconds')).toFixed(2)}×`, '', '', ''],
    ],
  };
}
