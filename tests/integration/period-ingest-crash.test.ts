import { describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { basic, call } from '../support/https-client.ts';
import { svmReport, uuid } from '../support/agent-fixtures.ts';
import { passwordFileArgs, runCli, startServe, tempDir, testPasswords } from '../support/lightkeeper-process.ts';

const T0 = Date.UTC(2026, 9, 1);
const PER_REPORT = 50;

describe('kill -9 during period ingest', () => {
  it('loses no period an SVM got an answer for, and doubles none, even when the SVM sends again', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const pw = testPasswords();
    expect((await runCli(['setup', '--data', dir, ...passwordFileArgs(pw)])).code).toBe(0);
    const first = await startServe(['--data', dir, '--port', '0']);
    const admin = basic('admin', pw.admin);
    const svm = basic('svm', pw.svm);
    expect((await call(`${first.url}/api/v1/settings/protection-reports`, { method: 'PATCH', auth: admin, body: JSON.stringify({ enabled: true }) })).status).toBe(200);

    const acknowledged: Array<{ vm: string; start: number }> = [];
    const bodies: string[] = [];
    let n = 0;
    let killed = false;
    const sender = async (worker: number) => {
      while (!killed) {
        const batch = n++;
        const periods = Array.from({ length: PER_REPORT }, (_, i) => ({ vm: uuid(0xa9, batch * PER_REPORT + i), start: T0 + batch * 1000 }));
        const body = JSON.stringify(svmReport(worker, { connectionPeriods: periods.map((p) => ({ vmBiosId: p.vm, start: new Date(p.start).toISOString(), end: new Date(p.start + 60_000).toISOString() })) }));
        try {
          const r = await call(`${first.url}/api/agents/v1/svm/report`, { method: 'POST', auth: svm, body });
          if (r.status === 200) {
            acknowledged.push(...periods);
            bodies.push(body);
          }
        } catch {
          // The server died mid-request: no answer, so the SVM would send these again.
        }
      }
    };
    const workers = [1, 2, 3, 4].map(sender);
    while (acknowledged.length < 20 * PER_REPORT) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    killed = true;
    await Promise.all(workers);
    await first.exited;

    const count = (d: DatabaseSync) => (d.prepare('SELECT count(*) AS n FROM svm_connection_periods').get() as { n: number }).n;
    const second = await startServe(['--data', dir, '--port', '0']);
    try {
      const db = new DatabaseSync(join(dir, 'lightkeeper.sqlite'), { readOnly: true });
      const has = db.prepare('SELECT count(*) AS n FROM svm_connection_periods WHERE vm_bios_id = ? AND start_at = ?');
      const missing = acknowledged.filter((p) => (has.get(p.vm, p.start) as { n: number }).n !== 1);
      expect(missing).toEqual([]);
      const stored = count(db);
      expect(stored).toBeGreaterThanOrEqual(acknowledged.length);
      expect(stored).toBeLessThanOrEqual(n * PER_REPORT);
      // The SVMs send everything again, as after a lost answer: nothing doubles.
      for (const body of bodies.slice(0, 10)) expect((await call(`${second.url}/api/agents/v1/svm/report`, { method: 'POST', auth: svm, body })).status).toBe(200);
      expect(count(db)).toBe(stored);
      db.close();
    } finally {
      second.child.kill('SIGKILL');
    }
  });
});
