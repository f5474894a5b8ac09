import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { basic, call } from '../support/https-client.ts';
import { passwordFileArgs, runCli, startServe, tempDir, testPasswords } from '../support/lightkeeper-process.ts';

const TASKS = 200;

describe('kill -9 while 200 long tasks run', () => {
  it('leaves no task Starting, Running or Stopping after restart, and every rolled-back step undone', async () => {
    const dir = tempDir();
    const pw = testPasswords();
    expect((await runCli(['setup', '--data', dir, ...passwordFileArgs(pw)])).code).toBe(0);
    const auth = basic('admin', pw.admin);
    const first = await startServe(['--data', dir, '--port', '0', '--task-concurrency', String(TASKS)]);
    for (let i = 0; i < TASKS; i++) {
      const r = await call(`${first.url}/api/v1/diagnostics/self-test-task`, { method: 'POST', auth, body: JSON.stringify({ steps: 20, stepMilliseconds: 300 }) });
      expect(r.status).toBe(202);
    }
    const db = new DatabaseSync(join(dir, 'lightkeeper.sqlite'), { readOnly: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const settled = () =>
      count('SELECT count(*) AS n FROM diagnostic_marks') >= TASKS * 2 && count("SELECT count(*) AS n FROM tasks WHERE state = 'Running'") === TASKS;
    for (let i = 0; i < 300 && !settled(); i++) await sleep(50);
    const inFlight = db.prepare('SELECT state, count(*) AS n FROM tasks GROUP BY state').all();
    expect(inFlight).toEqual([{ state: 'Running', n: TASKS }]);
    expect(count('SELECT count(*) AS n FROM diagnostic_marks')).toBeGreaterThanOrEqual(TASKS * 2);
    db.close();

    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startServe(['--data', dir, '--port', '0']);
    try {
      const after = new DatabaseSync(join(dir, 'lightkeeper.sqlite'), { readOnly: true });
      const states = after.prepare('SELECT state, error_code AS code, count(*) AS n FROM tasks GROUP BY state, error_code').all();
      expect(states).toEqual([{ state: 'Failed', code: 'TASK_INTERRUPTED', n: TASKS }]);
      expect((after.prepare('SELECT count(*) AS n FROM diagnostic_marks').get() as { n: number }).n).toBe(0);
      after.close();
      const listed = JSON.parse((await call(`${second.url}/api/v1/tasks?state=Failed&limit=1`, { auth })).body);
      expect(listed.total).toBe(TASKS);
      expect(listed.items[0].error.message).toMatch(/server stopped while this task was running.*rolled back/);
    } finally {
      second.child.kill('SIGKILL');
    }
  });
});
