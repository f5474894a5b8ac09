#!/usr/bin/env node
// `npm start`: the desktop app where Electron can run; otherwise the same server headless with its
// Web Console, on the per-user data folder. First start asks for the account passwords (no defaults).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

if (!electronBinary()) {
  console.log('No Electron binary is installed (its download is not possible on this machine): starting the headless Integration Server instead.');
}
const { main } = await import('../main/cli.ts');
const { defaultDataDir } = await import('../main/store/data-folder.ts');
const { isSetUp } = await import('../main/server.ts');
const data = process.env.LIGHTKEEPER_DATA ?? defaultDataDir();
if (!isSetUp(data)) {
  console.log(`First start: set a password for each account of ${data}.`);
  await main([process.argv[0], 'lightkeeper', 'setup', '--data', data]);
  if (process.exitCode) process.exit(process.exitCode);
}
await main([process.argv[0], 'lightkeeper', 'serve', '--data', data, ...process.argv.slice(2)]);
