import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCOUNT_NAMES, type AccountName } from '../../main/contract/accounts.ts';

export const CLI = fileURLToPath(new URL('../../bin/lightkeeper.js', import.meta.url));

/** Distinct, rule-abiding passwords that a grep of the data folder would find if one leaked. */
export function testPasswords(tag = 'x'): Record<AccountName, string> {
  return Object.fromEntries(ACCOUNT_NAMES.map((n) => [n, `Lk!${n}-${tag}-S3cr3t#${Math.random().toString(36).slice(2, 10)}`])) as Record<AccountName, string>;
}

export function tempDir(prefix = 'lk-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function passwordFileArgs(passwords: Record<AccountName, string>, dir = tempDir('lk-pw-')): string[] {
  return ACCOUNT_NAMES.flatMap((n) => {
    const file = join(dir, n);
    writeFileSync(file, passwords[n] + '\n', { mode: 0o600 });
    return [`--${n}-password-file`, file];
  });
}

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Runs `lightkeeper ARGS` as a user would, on the same (pinned) Node that runs the tests. */
export function runCli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export type ServeProcess = {
  child: ChildProcess;
  url: string;
  fingerprint: string;
  output: () => string;
  /** Resolves with the first match of PATTERN in the output, waiting for lines still to come. */
  waitFor: (pattern: RegExp) => Promise<RegExpExecArray>;
  exited: Promise<number | null>;
};

/** Starts `lightkeeper serve` and waits for it to print its URL and fingerprint. */
export function startServe(args: string[]): Promise<ServeProcess> {
  return startServing('serve', args);
}

/** Starts `lightkeeper lab` (an embedded server with its simulators) and waits for its URL and fingerprint. */
export function startLab(args: string[]): Promise<ServeProcess> {
  return startServing('lab', args);
}

function startServing(command: 'serve' | 'lab', args: string[]): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Output arrives in chunks of any size, so a line printed after the ready lines may not be here yet.
    const waitFor = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((found, missing) => {
        const check = () => {
          const match = pattern.exec(out);
          if (!match) return false;
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
          found(match);
          return true;
        };
        if (check()) return;
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        void exited.then(() => check() || missing(new Error(`lightkeeper ${command} exited without printing ${pattern}:\n${out}`)));
      });
    const onData = (d: Buffer) => {
      out += d;
      const url = /URL\s+(https:\/\/\S+?)\/?\s*$/m.exec(out)?.[1];
      const fingerprint = /SHA-256\s+([0-9A-F:]{95})/.exec(out)?.[1];
      if (url && fingerprint) resolve({ child, url, fingerprint, output: () => out, waitFor, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`lightkeeper ${command} exited with ${code} before it was ready:\n${out}`)));
  });
}
