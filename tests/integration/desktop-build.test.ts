// The desktop app as built, in one file because every part shares out/ (build/desktop-bundle.ts) and
// must not rebuild it under another: the bundled server host run the way the utilityProcess runs it,
// the packaging with electron-builder, and `npm start` with and without an Electron binary.
// The Electron binary itself cannot be downloaded here (lab.md §6); stand-ins play its part.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, Platform } from 'electron-builder';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostToMain, KeyRequest, ServerHostConfig } from '../../main/contract/desktop.ts';
import { setUpDataFolder } from '../../main/services/setup.ts';
import { buildDesktop, OUT, ROOT } from '../../build/desktop-bundle.ts';
import { builderConfig, FUSES } from '../../build/electron-builder.config.ts';
import { basic, call } from '../support/https-client.ts';
import { tempDir, testPasswords } from '../support/lightkeeper-process.ts';

const CHILD = fileURLToPath(new URL('../support/server-host-child.ts', import.meta.url));
const START = fileURLToPath(new URL('../../bin/start.js', import.meta.url));
const children: ChildProcess[] = [];
const asar = createRequire(import.meta.url)('@electron/asar') as { listPackage(path: string): string[]; extractFile(path: string, file: string): Buffer };

function host(answerKey: (request: KeyRequest) => unknown) {
  const child = fork(CHILD, [join(OUT, 'server-host.js')], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  const messages: HostToMain[] = [];
  const keyRequests: KeyRequest[] = [];
  child.on('message', (m: { channel: string; data: unknown }) => {
    if (m.channel === 'parent') messages.push(m.data as HostToMain);
    else {
      keyRequests.push(m.data as KeyRequest);
      child.send({ channel: 'key', data: answerKey(m.data as KeyRequest) });
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const start = (config: ServerHostConfig) => child.send({ channel: 'parent', data: { type: 'start', config }, withKeyPort: true });
  const next = async (type: HostToMain['type']) => {
    await expect.poll(() => messages.find((m) => m.type === type), { timeout: 60_000, interval: 100 }).toBeDefined();
    return messages.find((m) => m.type === type)!;
  };
  return { child, messages, keyRequests, exited, start, next };
}

function start(env: NodeJS.ProcessEnv, untilOutput?: RegExp): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [START, '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (untilOutput?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

beforeAll(async () => {
  await buildDesktop();
}, 120_000);
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('desktop server host (built bundle)', () => {
  it('starts on the key it is handed, serves HTTPS, reports address and fingerprint, stops gracefully', async () => {
    const dataDir = tempDir('lk-desktop-host-');
    const passwords = testPasswords();
    await setUpDataFolder(dataDir, passwords, { force: false });
    const key = Buffer.from(readFileSync(join(dataDir, 'data.key'), 'utf8').trim(), 'base64');
    const h = host(() => ({ type: 'key', key: new Uint8Array(key) }));
    h.start({ dataDir, host: '127.0.0.1', port: 0, consoleDir: tempDir('lk-no-console-'), logLevel: 'warn' });

    const ready = await h.next('ready');
    if (ready.type !== 'ready') throw new Error('unreachable');
    expect(ready.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.dataFolder).toBe(dataDir);
    expect(h.keyRequests).toEqual([{ type: 'get-key', create: false }]);
    const health = await call(`${ready.url}/api/v1/health`, { auth: basic('admin', passwords.admin), pin: ready.fingerprint256 });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', version: JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version });

    h.child.send({ channel: 'parent', data: { type: 'stop' } });
    await h.next('stopped');
    expect(await h.exited).toBe(0);
  });

  it('reports a key it cannot have as a data-key problem and exits', async () => {
    const dataDir = tempDir('lk-desktop-host-');
    await setUpDataFolder(dataDir, testPasswords(), { force: false });
    const h = host(() => ({ type: 'key-error', reason: 'The OS keychain is locked.' }));
    h.start({ dataDir, host: '127.0.0.1', port: 0, consoleDir: tempDir('lk-no-console-'), logLevel: 'warn' });
    expect(await h.next('failed')).toEqual({ type: 'failed', problem: 'data-key', reason: 'The OS keychain is locked.' });
    expect(await h.exited).toBe(1);
  });

  it('starts a new data folder in first-run mode and hands the window the one-time setup token', async () => {
    const h = host(() => ({ type: 'key', key: new Uint8Array(32).fill(7) }));
    h.start({ dataDir: tempDir('lk-desktop-empty-'), host: '127.0.0.1', port: 0, consoleDir: tempDir('lk-no-console-'), logLevel: 'warn' });
    const ready = await h.next('ready');
    if (ready.type !== 'ready') throw new Error('unreachable');
    expect(h.keyRequests).toEqual([{ type: 'get-key', create: true }]);
    expect(ready.setupToken).toMatch(/^[\w-]{20,}$/);
    const passwords = testPasswords();
    const setup = await call(`${ready.url}/api/v1/setup`, { method: 'POST', pin: ready.fingerprint256, body: JSON.stringify({ token: ready.setupToken, passwords }) });
    expect(setup.status, setup.body).toBe(200);
    expect((await call(`${ready.url}/api/v1/health`, { auth: basic('admin', passwords.admin), pin: ready.fingerprint256 })).status).toBe(200);
    h.child.send({ channel: 'parent', data: { type: 'stop' } });
    await h.next('stopped');
    expect(await h.exited).toBe(0);
  });
});


describe('desktop packaging', () => {
  it('flips every fuse of Electron checklist #19', () => {
    expect(FUSES).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, enableEmbeddedAsarIntegrityValidation: true, onlyLoadAppFromAsar: true, grantFileProtocolExtraPrivileges: false });
    expect(builderConfig().electronFuses).toEqual(FUSES);
  });

  it('packs the shell, the server and production dependencies into app.asar', async () => {
    const standIn = tempDir('lk-electron-stand-in-');
    writeFileSync(join(standIn, 'electron'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(standIn, 'electron'), 0o755);
    writeFileSync(join(standIn, 'version'), '45.5.0');
    const output = tempDir('lk-pack-');
    mkdirSync(output, { recursive: true });
    // The stand-in has no fuse wire to flip, so only this run goes without fuses.
    const config = { ...builderConfig(standIn), electronFuses: null, directories: { output, buildResources: 'resources' } };
    await build({ projectDir: ROOT, targets: Platform.LINUX.createTarget(['dir']), config, publish: 'never' });

    const resources = join(output, 'linux-unpacked', 'resources');
    const archive = join(resources, 'app.asar');
    const files = new Set(asar.listPackage(archive));
    for (const f of ['/out/main.js', '/out/preload.cjs', '/out/server-host.js', '/out/pages/status.html', '/main/store/migrations/0001-foundation.sql', '/node_modules/fastify', '/node_modules/pino']) {
      expect(files.has(f), f).toBe(true);
    }
    if (existsSync(join(ROOT, 'renderer/dist/index.html'))) expect(files.has('/renderer/dist/index.html')).toBe(true);
    for (const f of ['/node_modules/electron', '/node_modules/vite', '/node_modules/vitest', '/electron/main.ts', '/main/server.ts', '/tests', '/out/main.js.map']) {
      expect(files.has(f), f).toBe(false);
    }
    expect(JSON.parse(asar.extractFile(archive, 'package.json').toString()).main).toBe('out/main.js');
    expect(existsSync(join(resources, 'app.asar.unpacked/node_modules/thread-stream'))).toBe(true);
  }, 600_000);
});

describe('npm start', () => {
  it('without an Electron binary: one line saying why, then the headless server with URL and fingerprint', async () => {
    const data = tempDir('lk-start-');
    await setUpDataFolder(data, testPasswords(), { force: false });
    const { stdout } = await start({ LIGHTKEEPER_DATA: data, ELECTRON_OVERRIDE_DIST_PATH: tempDir('lk-no-electron-') }, /Press Ctrl-C/);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^The desktop window cannot open here: no Electron binary is installed .*Starting the headless Integration Server/);
    expect(stdout).toMatch(/Certificate SHA-256 [0-9A-F:]{95}/);
    expect(stdout).toMatch(/URL\s+https:\/\/127\.0\.0\.1:\d+\//);
  }, 120_000);

  it('with an Electron binary: builds the shell and opens the app on the same data folder', async () => {
    const data = tempDir('lk-start-');
    await setUpDataFolder(data, testPasswords(), { force: false });
    const dist = tempDir('lk-fake-electron-');
    const record = join(dist, 'launched');
    // A stand-in for Electron that records how it was launched.
    writeFileSync(join(dist, 'electron'), `#!/bin/sh\necho "$1 $LIGHTKEEPER_DATA" > ${JSON.stringify(record)}\n`);
    chmodSync(join(dist, 'electron'), 0o755);
    const { code, stdout } = await start({ LIGHTKEEPER_DATA: data, ELECTRON_OVERRIDE_DIST_PATH: dist });
    expect(code, stdout).toBe(0);
    expect(stdout).not.toContain('cannot open');
    const [entry, folder] = readFileSync(record, 'utf8').trim().split(' ');
    expect(entry).toMatch(/out\/main\.js$/);
    expect(folder).toBe(data);
  }, 120_000);
});
