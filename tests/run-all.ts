// `npm test`: every check the project has, in one run, ending with the line CI reads:
// "N passed, N failed". Real peers come up first (tests/lab/peers.sh); a peer that cannot start
// fails the run with its name. Nothing is skipped silently.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const results = join(root, 'tests/.results');
mkdirSync(results, { recursive: true });
const bin = (name: string) => join(root, 'node_modules/.bin', name);

let passed = 0;
let failed = 0;
const lines: string[] = [];

function step(name: string, cmd: string, args: string[]): boolean {
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  const ok = r.status === 0;
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
  return ok;
}

function check(name: string, cmd: string, args: string[]): void {
  if (step(name, cmd, args)) passed++;
  else failed++;
}

const peersUp = step('peers: start sshd, libvirtd + QEMU, Chromium', 'bash', ['tests/lab/peers.sh', 'start']);
if (!peersUp) failed++;

check('typecheck (node side)', bin('tsc'), ['-p', 'tsconfig.json']);
check('typecheck (web side, .vue included)', bin('vue-tsc'), ['-p', 'renderer/tsconfig.json']);
check('typecheck (desktop shell)', bin('tsc'), ['-p', 'electron/tsconfig.json']);
check('lint (layer rules, TypeScript, Vue)', bin('eslint'), ['.']);
check('electronegativity on electron/ (no HIGH or MEDIUM finding)', process.execPath, ['tests/security/electronegativity.ts']);

const report = join(results, 'vitest.json');
rmSync(report, { force: true });
const vitestOk = step('vitest (unit + integration)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
const failedBefore = failed;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number; testResults: Array<{ status: string; name: string; message?: string }> };
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  // A suite that failed to load has no tests to count: count it as one failure, not zero.
  const brokenFiles = json.testResults.filter((f) => f.status === 'failed' && f.message);
  failed += brokenFiles.length;
  for (const f of brokenFiles) lines.push(`FAIL ${f.name}: ${f.message?.split('\n')[0]}`);
  if (json.numPendingTests + json.numTodoTests > 0) {
    failed += json.numPendingTests + json.numTodoTests;
    lines.push(`FAIL ${json.numPendingTests + json.numTodoTests} skipped or todo tests: nothing here may be skipped`);
  }
}
if (!vitestOk && failed === failedBefore) {
  // Vitest failed in a way no test result shows (a config error, an unhandled error): still a failure.
  failed++;
  lines.push('FAIL vitest exited with an error that no test result shows (see its output above)');
}

// The desktop app end to end needs an Electron binary; without one it is reported as not run, and
// counted neither as passed nor as failed (exit code 2 of the script).
console.log('\n=== desktop e2e: node tests/e2e/desktop.e2e.ts');
const desktop = spawnSync(process.execPath, ['tests/e2e/desktop.e2e.ts'], { cwd: root, stdio: 'inherit', env: process.env });
if (desktop.status === 2) lines.push('NOT RUN desktop e2e: not run (no Electron binary)');
else if (desktop.status === 0) {
  passed++;
  lines.push('ok   desktop e2e (Playwright _electron)');
} else {
  failed++;
  lines.push('FAIL desktop e2e (Playwright _electron)');
}

// LK_KEEP_PEERS=1 leaves the peers running for the next run (and for colleagues' tests on this machine).
if (peersUp && process.env.LK_KEEP_PEERS !== '1') step('peers: stop', 'bash', ['tests/lab/peers.sh', 'stop']);

console.log('\n=== summary');
for (const l of lines) console.log(l);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
