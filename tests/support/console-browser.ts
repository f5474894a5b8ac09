// The Web Console's end-to-end tests drive Debian's Chromium through playwright-core
// (../shared/reference/lab.md §3). A missing browser fails the run with its name: never a skip.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const SCREENSHOTS = join(root, 'tests/.results/screenshots');

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.LK_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium is not installed at ${executablePath}: run 'bash tests/lab/peers.sh start' (as root it installs Debian's chromium) or set LK_CHROMIUM.`);
  }
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--ignore-certificate-errors'],
  });
}

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

/**
 * The tests must drive the console as it is in the source, not a stale build: rebuild when a
 * source is newer than renderer/dist (npm ci's `prepare` has usually built it already).
 */
export function ensureConsoleBuilt(): void {
  const built = join(root, 'renderer/dist/index.html');
  const sources = ['renderer/src', 'renderer/index.html', 'renderer/vite.config.ts', 'main/contract'].map((p) => join(root, p));
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', 'renderer', '--logLevel', 'warn'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vite build renderer failed:\n${r.stdout}\n${r.stderr}`);
}
