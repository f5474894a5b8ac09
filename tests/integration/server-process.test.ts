import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { basic, call } from '../support/https-client.ts';
import { passwordFileArgs, runCli, startServe, tempDir, testPasswords, type ServeProcess } from '../support/lightkeeper-process.ts';

const passwords = testPasswords('proc');
const dataDir = tempDir();
let serve: ServeProcess;
const admin = basic('admin', passwords.admin);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

beforeAll(async () => {
  const setup = await runCli(['setup', '--data', dataDir, ...passwordFileArgs(passwords)]);
  expect(setup.code, setup.stderr).toBe(0);
  serve = await startServe(['--data', dataDir, '--port', '0']);
});
afterAll(async () => {
  serve?.child.kill('SIGKILL');
});

describe('lightkeeper serve on a real TLS port', () => {
  it('prints the URL and the fingerprint of the certificate it really serves', async () => {
    const r = await call(`${serve.url}/api/v1/health`, { auth: admin });
    expect(r.status).toBe(200);
    expect(r.fingerprint).toBe(serve.fingerprint);
    const shown = await runCli(['cert', 'show', '--data', dataDir]);
    expect(shown.stdout).toContain(serve.fingerprint);
    expect(shown.stdout).toMatch(/Names\s+.*DNS:localhost.*IP Address:127\.0\.0\.1/);
  });

  it('answers 403 on the vendor API without or with wrong credentials', async () => {
    expect((await call(`${serve.url}/api/2.0/virtualization/tenants`, { pin: serve.fingerprint })).status).toBe(403);
    expect((await call(`${serve.url}/api/2.0/virtualization/tenants`, { auth: basic('multitenancy', 'Wrong-Pa55!') })).status).toBe(403);
  });

  it('answers 401 on the JSON API without credentials and 200 with admin', async () => {
    expect((await call(`${serve.url}/api/v1/health`)).status).toBe(401);
    expect((await call(`${serve.url}/api/v1/health`, { auth: admin })).status).toBe(200);
  });

  it('gives plain HTTP on its port no HTTP answer at all', async () => {
    const port = Number(new URL(serve.url).port);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n'));
      let got = '';
      socket.on('data', (d) => (got += d.toString('latin1')));
      socket.on('close', () => resolve(got));
      socket.on('error', () => resolve(got));
      socket.setTimeout(5000, () => socket.destroy());
    });
    expect(answer).not.toMatch(/^HTTP\//);
  });

  it('streams task events to the live channel', async () => {
    const events: string[] = [];
    const stream = await new Promise<IncomingMessage>((resolve, reject) => {
      request(`${serve.url}/api/v1/events`, { rejectUnauthorized: false, headers: { authorization: admin } }, resolve).on('error', reject).end();
    });
    expect(stream.headers['content-type']).toMatch(/text\/event-stream/);
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => events.push(d));
    const started = await call(`${serve.url}/api/v1/diagnostics/self-test-task`, { method: 'POST', auth: admin, body: JSON.stringify({ steps: 2, stepMilliseconds: 20 }) });
    const id = JSON.parse(started.body).id;
    for (let i = 0; i < 200 && !events.join('').includes('"state":"Completed"'); i++) await sleep(20);
    stream.destroy();
    const text = events.join('');
    expect(text).toContain('event: task.changed');
    expect(text).toContain(`"id":"${id}"`);
    expect(text).toContain('"state":"Completed"');
  });
});

describe('secrets at rest and in logs', () => {
  it('has no password in clear in any file of the data folder, logs included', async () => {
    const changed = 'Changed-Through-CLI-9!';
    const file = join(tempDir(), 'pw');
    (await import('node:fs')).writeFileSync(file, changed);
    expect((await runCli(['accounts', 'passwd', 'svm', '--data', dataDir, '--password-file', file])).code).toBe(0);
    // Use every secret on the wire, right and wrong, so the log has had every chance to catch one.
    const wrong = 'Wrong-But-Secret-7!';
    for (const [user, pw] of [...Object.entries(passwords), ['svm', changed], ['admin', wrong]] as Array<[string, string]>) {
      await call(`${serve.url}/api/v1/health`, { auth: basic(user, pw) });
    }
    await sleep(1500); // the log is written by a worker thread
    const files = filesUnder(dataDir);
    expect(files.some((f) => f.includes(`${join(dataDir, 'logs')}`))).toBe(true);
    for (const f of files) {
      const content = readFileSync(f);
      for (const secret of [...Object.values(passwords), changed, wrong]) {
        expect(content.includes(secret), `${secret} found in ${f}`).toBe(false);
        expect(content.includes(Buffer.from(secret).toString('base64')), `base64 of a secret found in ${f}`).toBe(false);
      }
    }
    expect(statSync(join(dataDir, 'data.key')).mode & 0o777).toBe(0o600);
  });
});

describe('the CLI', () => {
  it('has --help on every command', async () => {
    for (const args of [[], ['serve'], ['setup'], ['accounts'], ['accounts', 'passwd'], ['cert'], ['cert', 'show'], ['cert', 'renew'], ['version']]) {
      const r = await runCli([...args, '--help']);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: lightkeeper/);
    }
  });

  it('tells exactly which command to run on a folder that is not set up', async () => {
    const empty = tempDir();
    const r = await runCli(['serve', '--data', empty, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`npx lightkeeper setup --data "${empty}"`);
  });

  it('refuses to set up twice without --force, and asks for no password first', async () => {
    const r = await runCli(['setup', '--data', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already set up.*--force/);
  });

  it('refuses a password against the vendor rule without storing anything', async () => {
    const fresh = tempDir();
    const bad = { ...testPasswords(), viewer: 'has space' };
    const r = await runCli(['setup', '--data', fresh, ...passwordFileArgs(bad)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/'viewer' was refused.*position 4/);
    expect(r.stderr).not.toContain('has space');
    expect((await runCli(['serve', '--data', fresh, '--port', '0'])).stderr).toMatch(/not been set up/);
  });

  it('says what is missing when no terminal can ask for a password', async () => {
    const r = await runCli(['setup', '--data', tempDir()]);
    expect(r.stderr).toMatch(/pass --admin-password-file FILE/);
  });

  it('renews the certificate: a new fingerprint that cert show reports', async () => {
    const dir = tempDir();
    expect((await runCli(['setup', '--data', dir, ...passwordFileArgs(testPasswords())])).code).toBe(0);
    const before = (await runCli(['cert', 'show', '--data', dir])).stdout;
    const renewed = await runCli(['cert', 'renew', '--data', dir, '--name', 'is.example.test']);
    const after = (await runCli(['cert', 'show', '--data', dir])).stdout;
    const fp = (s: string) => /fingerprint\s+(\S+)/.exec(s)?.[1];
    expect(fp(after)).toBeTruthy();
    expect(fp(after)).not.toBe(fp(before));
    expect(fp(renewed.stdout)).toBe(fp(after));
    expect(after).toContain('DNS:is.example.test');
  });
});

describe('Ctrl-C', () => {
  it('stops gracefully: running tasks pause at a step and finish after the restart', async () => {
    const dir = tempDir();
    const pw = testPasswords();
    expect((await runCli(['setup', '--data', dir, ...passwordFileArgs(pw)])).code).toBe(0);
    const first = await startServe(['--data', dir, '--port', '0']);
    const auth = basic('admin', pw.admin);
    const started = await call(`${first.url}/api/v1/diagnostics/self-test-task`, { method: 'POST', auth, body: JSON.stringify({ steps: 6, stepMilliseconds: 150 }) });
    const id = JSON.parse(started.body).id;
    await sleep(400);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('Stopped.');
    const second = await startServe(['--data', dir, '--port', '0']);
    try {
      let state = '';
      for (let i = 0; i < 200 && state !== 'Completed'; i++) {
        state = JSON.parse((await call(`${second.url}/api/v1/tasks/${id}`, { auth })).body).state;
        await sleep(50);
      }
      expect(state).toBe('Completed');
    } finally {
      second.child.kill('SIGKILL');
    }
  });
});
