// Where an Electron binary is, if anywhere, without importing the `electron` package: since
// electron 45 that import tries to download the binary (github.com), which fails on our build
// machines after a wait. ELECTRON_OVERRIDE_DIST_PATH points at an unpacked Electron, as for the
// package itself.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = fileURLToPath(new URL('../node_modules/electron/', import.meta.url));
const EXECUTABLE: Partial<Record<NodeJS.Platform, string>> = { darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe' };

export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const pathFile = join(PACKAGE, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : (EXECUTABLE[process.platform] ?? 'electron');
  const candidate = env.ELECTRON_OVERRIDE_DIST_PATH ? join(env.ELECTRON_OVERRIDE_DIST_PATH, executable) : join(PACKAGE, 'dist', executable);
  return existsSync(candidate) ? candidate : undefined;
}

export const NO_BINARY_REASON =
  'no Electron binary is installed (the electron package fetches it from github.com on first use, which this machine cannot reach; set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron 45 to use one)';
