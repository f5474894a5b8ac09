/**
 * The lab SVM's klconfig: the lab sshd runs this as the `klconfig` user's ForceCommand, so
 * `ssh klconfig@svm <command> [args]` arrives here in SSH_ORIGINAL_COMMAND.
 *
 *   node main/lab/klconfig/main.ts --state-dir DIR
 *
 * DIR holds state.json, results.log (every result appended), dns-hosts (the lab's PTR records),
 * authorized_keys (written by setsshkey, read by the sshd) and resolved.conf (written by dns/dnssearch).
 * Exit status: 0 for KLCONFIG OK, 1 for KLCONFIG FAILED, 2 when the simulator itself is misconfigured.
 */
import { readSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { formatResult, runCommand, splitCommandLine, type CommandResult } from './commands.ts';
import {
  appendResult,
  authorizedKeysPath,
  readDnsHosts,
  readState,
  resolvedConfPath,
  withStateLock,
  writeState,
} from './state.ts';

function readStdinLine(): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(4096);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF') break;
      throw err;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    if (buf.subarray(0, n).includes(0x0a)) break;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const newline = text.indexOf('\n');
  return (newline === -1 ? text : text.slice(0, newline)).replace(/\r$/, '');
}

function main(): number {
  const { values } = parseArgs({ options: { 'state-dir': { type: 'string' } }, strict: true });
  const dir = values['state-dir'];
  if (!dir) {
    process.stderr.write('klconfig simulator: --state-dir DIR is required\n');
    return 2;
  }
  const words = splitCommandLine(process.env.SSH_ORIGINAL_COMMAND ?? '');
  const [command = '', ...args] = words;
  const who = userInfo();
  const now = new Date();

  let result: CommandResult;
  if (command === '') {
    result = { output: [], usage: 'ssh klconfig@<SVM address> <command> [args]', ok: false };
  } else {
    result = withStateLock(dir, () => {
      const state = readState(dir);
      const r = runCommand(command, args, {
        state,
        readStdinLine,
        now,
        user: { uid: who.uid, gid: who.gid, name: who.username },
        dnsPtr: readDnsHosts(dir),
        writeAuthorizedKeys: (text) => writeFileSync(authorizedKeysPath(dir), text, { mode: 0o600 }),
        writeResolvedConf: (text) => writeFileSync(resolvedConfPath(dir), text),
      });
      writeState(dir, state);
      return r;
    });
  }

  process.stdout.write(formatResult(result));
  appendResult(dir, {
    time: now.toISOString(),
    user: who.username,
    command,
    args,
    result: result.ok ? 'OK' : 'FAILED',
    ...(result.error ? { error: result.error } : {}),
    ...(result.usage !== undefined ? { usage: result.usage } : {}),
  });
  return result.ok ? 0 : 1;
}

process.exitCode = main();
