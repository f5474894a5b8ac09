#!/usr/bin/env node
// `npm start`: the desktop app where an Electron binary is present; otherwise one line saying why,
// then the same server headless with its Web Console. Both use the per-user data folder (or
// LIGHTKEEPER_DATA). There are no default passwords: on first start the headless server prints a
// one-time setup token, and the Web Console asks for it and a password for each account.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findElectronBinary, NO_BINARY_REASON } from '../build/electron-binary.ts';
import { KEY_FILES } from '../electron/keychain.ts';

const binary = findElectronBinary();
if (!binary) {
  console.log(`The desktop window cannot open here: ${NO_BINARY_REASON}. Starting the headless Integration Server with its Web Console instead.`);
}
const { main } = await import('../main/cli.ts');
const { defaultDataDir } = await import('../main/store/data-folder.ts');
const { isSetUp } = await import('../main/server.ts');
const data = process.env.LIGHTKEEPER_DATA ?? defaultDataDir();
// The desktop app moves the data key into the OS keychain (or under a passphrase): set up too.
const keptByDesktop = [KEY_FILES.keychain, KEY_FILES.passphrase].some((name) => existsSync(join(data, name)));
const firstRun = !isSetUp(data) && !keptByDesktop;
if (binary && firstRun) {
  console.log(`First start: set a password for each account of ${data}.`);
  await main([process.argv[0], 'lightkeeper', 'setup', '--data', data]);
  if (process.exitCode) process.exit(process.exitCode);
}
if (binary) {
  const { buildDesktop, OUT } = await import('../build/desktop-bundle.ts');
  // Rebuilt every time (about two seconds): the shell that opens is never older than the code.
  await buildDesktop();
  const app = spawn(binary, [join(OUT, 'main.js')], { stdio: 'inherit', env: { ...process.env, LIGHTKEEPER_DATA: data } });
  app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  // --first-run only matters while no account has a password (also after a first start left unfinished).
  await main([process.argv[0], 'lightkeeper', 'serve', '--data', data, '--first-run', ...process.argv.slice(2)]);
}
