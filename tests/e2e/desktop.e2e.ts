// The desktop app end to end with Playwright's _electron: the window opens, the console loads from
// the embedded server, the preload API is there, Node is not, and navigation away is blocked.
// Exit 0: passed; 1: failed; 2: not run because there is no Electron binary (never counted as passed).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { setUpDataFolder } from '../../main/services/setup.ts';
import { buildDesktop, OUT, ROOT } from '../../build/desktop-bundle.ts';
import { findElectronBinary } from '../../build/electron-binary.ts';
import { call } from '../support/https-client.ts';
import { tempDir, testPasswords } from '../support/lightkeeper-process.ts';

export const NOT_RUN_EXIT = 2;

const binary = findElectronBinary();
if (!binary) {
  console.log('desktop e2e: not run (no Electron binary)');
  process.exit(NOT_RUN_EXIT);
}

const checks: Array<[string, boolean, string?]> = [];
const check = (name: string, ok: boolean, detail?: string) => {
  checks.push([name, ok, detail]);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail && !ok ? `: ${detail}` : ''}`);
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

// A window needs a display; CI machines have none, so bring up Xvfb (lab.md §4) for the run.
function display(): ChildProcess | undefined {
  if (process.platform !== 'linux' || process.env.DISPLAY) return undefined;
  const xvfb = spawn('Xvfb', [':97', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  xvfb.on('error', (error) => check('a display for the window (Xvfb)', false, `${error.message}: install xvfb or set DISPLAY`));
  process.env.DISPLAY = ':97';
  return xvfb;
}

async function openConsole(page: Page, origin: string): Promise<void> {
  // Without an OS keychain (CI) the app asks for a passphrase on its status page first.
  const form = page.locator('#passphrase');
  const deadline = Date.now() + 90_000;
  while (!page.url().startsWith(origin) && Date.now() < deadline) {
    if (await form.isVisible().catch(() => false)) {
      await page.fill('#passphrase-input', 'desktop e2e passphrase');
      await page.click('#passphrase button[type=submit]');
    }
    await page.waitForTimeout(250);
  }
}

// Playwright rejects some launch failures a second time, outside the awaited call: still a failure.
process.on('unhandledRejection', (error) => check('no unexpected error', false, error instanceof Error ? error.message : String(error)));

const xvfb = display();
let app: ElectronApplication | undefined;
try {
  await buildDesktop();
  if (!existsSync(join(ROOT, 'renderer/dist/index.html'))) spawnSync(join(ROOT, 'node_modules/.bin/vite'), ['build', 'renderer', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  const dataDir = tempDir('lk-desktop-e2e-');
  await setUpDataFolder(dataDir, testPasswords(), { force: false });
  const port = await freePort();
  const origin = `https://127.0.0.1:${port}`;

  app = await _electron.launch({ executablePath: binary, args: [join(OUT, 'main.js')], env: { ...process.env, LIGHTKEEPER_DATA: dataDir, LIGHTKEEPER_PORT: String(port) }, timeout: 60_000 });
  const page = await app.firstWindow();
  check('the window opens', true);

  await openConsole(page, origin);
  check('the console loads from the embedded server', page.url().startsWith(origin), page.url());
  const served = await call(`${origin}/`);
  check('the console page is served over HTTPS', served.status === 200, `status ${served.status}`);

  // The page's globals, seen from inside it (this file has no DOM types: globalThis is the window).
  type PageGlobals = { lightkeeper?: { serverInfo(): Promise<{ url: string; fingerprint256: string } | null> }; require?: unknown; process?: unknown; ipcRenderer?: unknown };
  const info = await page.evaluate(async () => {
    const page = globalThis as unknown as PageGlobals;
    return { present: typeof page.lightkeeper?.serverInfo === 'function', server: await page.lightkeeper?.serverInfo(), node: [typeof page.require, typeof page.process, typeof page.ipcRenderer] };
  });
  check('the preload API is present', info.present);
  check('the preload reports the server and the fingerprint it presents', info.server?.url === origin && info.server.fingerprint256 === served.fingerprint, JSON.stringify(info.server));
  check('no Node and no ipcRenderer in the page', info.node.every((t) => t === 'undefined'), JSON.stringify(info.node));

  await page.evaluate(() => void ((globalThis as unknown as { location: { href: string } }).location.href = 'http://example.com/'));
  await page.waitForTimeout(1000);
  check('navigation away from the console is blocked', page.url().startsWith(origin), page.url());
  const denied = await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/') === null);
  check('window.open is denied', denied);
} catch (error) {
  check('the desktop app runs', false, error instanceof Error ? error.message : String(error));
} finally {
  await app?.close().catch(() => undefined);
  xvfb?.kill();
}

const failed = checks.filter(([, ok]) => !ok).length;
console.log(`desktop e2e: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
