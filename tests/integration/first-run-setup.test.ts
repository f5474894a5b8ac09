import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { basic, call } from '../support/https-client.ts';
import { startServe, tempDir, testPasswords, type ServeProcess } from '../support/lightkeeper-process.ts';

const dir = tempDir();
let serve: ServeProcess;
let token: string;
const passwords = testPasswords('first');
const setup = (body: unknown) => call(`${serve.url}/api/v1/setup`, { method: 'POST', body: JSON.stringify(body), pin: serve.fingerprint });

beforeAll(async () => {
  serve = await startServe(['--data', dir, '--port', '0', '--first-run']);
  token = (await serve.waitFor(/setup token (\S+)/))[1]!;
});
afterAll(() => {
  serve?.child.kill('SIGKILL');
});

describe('first-run setup from the console', () => {
  it('starts on an empty folder, prints a one-time token, and says setup is required', async () => {
    expect(token).toMatch(/^[\w-]{20,}$/);
    const r = await call(`${serve.url}/api/v1/setup`);
    expect(JSON.parse(r.body)).toEqual({ required: true });
    expect((await call(`${serve.url}/api/v1/health`, { auth: basic('admin', passwords.admin) })).status).toBe(401);
  });

  it('refuses a wrong token, and a password against the rule naming the account, changing nothing', async () => {
    const wrong = await setup({ token: 'not-the-token', passwords });
    expect(wrong.status).toBe(403);
    expect(JSON.parse(wrong.body).code).toBe('SETUP_TOKEN_WRONG');
    const bad = await setup({ token, passwords: { ...passwords, agent: 'has space' } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toMatch(/passwords\.agent/);
    expect(JSON.parse((await call(`${serve.url}/api/v1/setup`)).body)).toEqual({ required: true });
  });

  it('sets every password once with the right token; the accounts work at once; a second setup is refused', async () => {
    const r = await setup({ token, passwords });
    expect(r.status, r.body).toBe(200);
    expect((await call(`${serve.url}/api/v1/health`, { auth: basic('admin', passwords.admin) })).status).toBe(200);
    expect((await call(`${serve.url}/api/2.0/virtualization/tenants`, { auth: basic('multitenancy', passwords.multitenancy) })).status).toBe(200);
    expect(JSON.parse((await call(`${serve.url}/api/v1/setup`)).body)).toEqual({ required: false });
    expect((await setup({ token, passwords })).status).toBe(409);
  });

  it('keeps the token and the passwords out of every file of the data folder', async () => {
    await new Promise((r) => setTimeout(r, 1500));
    const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)]));
    for (const f of files(dir)) {
      const content = readFileSync(f);
      for (const secret of [token, ...Object.values(passwords)]) expect(content.includes(secret), `${f}`).toBe(false);
    }
  });
});
