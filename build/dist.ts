// `npm run dist`: builds every part of the desktop app this machine can build, and says plainly
// what it could not. Packages need an Electron binary (none can be downloaded here: lab.md §6), and
// each OS's installer is built on that OS (dmg on macOS; nsis on Windows, or Linux with Wine).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getCurrentFuseWire } from '@electron/fuses';
import { build, Platform } from 'electron-builder';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { buildDesktop, OUT, ROOT } from './desktop-bundle.ts';
import { builderConfig } from './electron-builder.config.ts';
import { findElectronBinary, NO_BINARY_REASON } from './electron-binary.ts';

const built: string[] = [];
const notBuilt: string[] = [];

await buildDesktop();
built.push(`the app code in ${OUT} (main process, preload, Integration Server host, status page)`);

if (!existsSync(join(ROOT, 'renderer/dist/index.html'))) spawnSync(join(ROOT, 'node_modules/.bin/vite'), ['build', 'renderer', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
if (existsSync(join(ROOT, 'renderer/dist/index.html'))) built.push('the console in renderer/dist');
else notBuilt.push('the console (vite build renderer failed; see above)');

const binary = findElectronBinary();
const config = builderConfig(binary ? dirname(binary) : undefined);
await validateConfiguration(config, { isEnabled: false, add() {}, save: async () => {} } as never);
built.push('a checked electron-builder configuration (build/electron-builder.config.ts)');

const here = process.platform === 'linux' ? ['AppImage', 'deb'] : process.platform === 'win32' ? ['nsis'] : process.platform === 'darwin' ? ['dmg'] : [];
const elsewhere: Record<string, string> = { linux: 'Linux AppImage and deb (build on Linux)', win32: 'Windows NSIS installer (build on Windows)', darwin: 'macOS dmg (build on macOS)' };
for (const [platform, what] of Object.entries(elsewhere)) if (platform !== process.platform) notBuilt.push(what);

if (!binary) {
  notBuilt.push(`${here.join(' and ') || 'packages'} for this ${process.platform} machine: ${NO_BINARY_REASON}`);
} else {
  const target = Platform.current().createTarget(here);
  const artifacts = await build({ targets: target, config, publish: 'never' });
  built.push(...artifacts.map((a) => `package ${a}`));
  const unpacked = join(ROOT, 'dist/desktop', process.platform === 'linux' ? 'linux-unpacked/lightkeeper-desktop' : '');
  if (process.platform === 'linux' && existsSync(unpacked)) {
    const wire = await getCurrentFuseWire(unpacked);
    built.push(`fuses of ${unpacked}: ${JSON.stringify(wire)}`);
  }
}

console.log('\nnpm run dist');
for (const line of built) console.log(`  built:     ${line}`);
for (const line of notBuilt) console.log(`  NOT built: ${line}`);
