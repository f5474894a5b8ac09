// SshSession against the real OpenSSH sshd of tests/lab/peers.sh: host-key pinning, password and key
// login, exec with stdin, SFTP upload with progress checked by SHA-256 on the far side.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshError, SshSession, probeHostKey, shellQuote, type UploadProgress } from '../../main/connectors/ssh/ssh-session.ts';
import { loadPeersEnv } from '../lab/peers-env.ts';

const env = loadPeersEnv('ssh', 'svm', 'libvirt');
const target = { host: env.get('LK_SSH_HOST'), port: env.num('LK_SSH_PORT') };
const pinned = env.get('LK_SSH_HOST_KEY_FINGERPRINT');
const user = env.get('LK_SSH_USER');
const userKey = readFileSync(env.get('LK_SSH_USER_KEY'), 'utf8');
const uploadDir = env.get('LK_KVM_IMAGE_DIR'); // writable by the lab user

const connectWithKey = () => SshSession.connect({ ...target, username: user, auth: { privateKey: userKey }, hostKeyFingerprint: pinned });

async function rejection(promise: Promise<unknown>): Promise<SshError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SshError);
    return err as SshError;
  }
  throw new Error('expected the promise to reject');
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'lk-ssh-test-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('host key', () => {
  it('probeHostKey shows the key sshd really has, without logging in', async () => {
    const key = await probeHostKey(target);
    const [algorithm, blob] = readFileSync(env.get('LK_SSH_HOST_KEY_PUB'), 'utf8').trim().split(' ');
    expect(key).toEqual({ algorithm, fingerprint: pinned, publicKey: blob });
    // The same form as `ssh-keygen -l -E sha256` prints.
    const keygen = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', env.get('LK_SSH_HOST_KEY_PUB')], { encoding: 'utf8' }).split(' ')[1];
    expect(key.fingerprint).toBe(keygen);
  });

  it('connects when the pinned fingerprint matches (with or without the SHA256: prefix)', async () => {
    const session = await connectWithKey();
    expect(session.hostKey.fingerprint).toBe(pinned);
    expect((await session.exec('id -un')).stdout.trim()).toBe(user);
    session.dispose();
    const bare = await SshSession.connect({ ...target, username: user, auth: { privateKey: userKey }, hostKeyFingerprint: pinned.replace(/^SHA256:/, '') });
    bare.dispose();
  });

  it('refuses a host whose key differs from the pinned one, and says so', async () => {
    // The SVM's sshd has another real host key: pinning it here is what a changed key looks like.
    const other = env.get('LK_SVM_HOST_KEY_FINGERPRINT');
    const err = await rejection(SshSession.connect({ ...target, username: user, auth: { privateKey: userKey }, hostKeyFingerprint: other }));
    expect(err.kind).toBe('host-key-changed');
    expect(err.message).toContain('has changed');
    expect(err.message).toContain(other);
    expect(err.message).toContain(pinned);
    expect(err.message).toContain(`${target.host}:${target.port}`);
  });
});

describe('login', () => {
  it('logs in with the password', async () => {
    const session = await SshSession.connect({ ...target, username: user, auth: { password: env.get('LK_SSH_PASSWORD') }, hostKeyFingerprint: pinned });
    expect((await session.exec('id -un')).stdout.trim()).toBe(user);
    session.dispose();
  });

  it('reports a wrong password as an authentication failure', async () => {
    const err = await rejection(SshSession.connect({ ...target, username: user, auth: { password: 'wrong-password' }, hostKeyFingerprint: pinned }));
    expect(err.kind).toBe('auth-failed');
    expect(err.message).toContain(user);
    expect(err.message).not.toContain('wrong-password');
  });

  it('reports a key sshd does not know as an authentication failure', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'stranger')]);
    const err = await rejection(SshSession.connect({ ...target, username: user, auth: { privateKey: readFileSync(join(work, 'stranger'), 'utf8') }, hostKeyFingerprint: pinned }));
    expect(err.kind).toBe('auth-failed');
  });

  it('reports a port where nothing listens as unreachable', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const err = await rejection(probeHostKey({ host: '127.0.0.1', port }));
    expect(err.kind).toBe('unreachable');
    const err2 = await rejection(SshSession.connect({ host: '127.0.0.1', port, username: user, auth: { password: 'x' }, hostKeyFingerprint: pinned }));
    expect(err2.kind).toBe('unreachable');
  });
});

describe('exec and upload', () => {
  let session: SshSession;
  beforeAll(async () => {
    session = await connectWithKey();
  });
  afterAll(() => session?.dispose());

  it('passes stdin and returns exit code, stdout and stderr as they are', async () => {
    const r = await session.exec('cat; echo oops >&2; exit 3', { stdin: 'line 1\nline 2\n' });
    expect(r).toEqual({ code: 3, signal: null, stdout: 'line 1\nline 2\n', stderr: 'oops\n' });
  });

  it('quotes words for the remote shell', async () => {
    const word = `it's "quoted" $HOME; rm -rf /`;
    expect((await session.exec(`printf %s ${shellQuote(word)}`)).stdout).toBe(word);
  });

  it('uploads over SFTP with progress, and the far side has the same SHA-256', async () => {
    const local = join(work, 'upload.bin');
    const data = randomBytes(8 * 1024 * 1024 + 12345);
    writeFileSync(local, data);
    const remote = `${uploadDir}/lk-ssh-test-${process.pid}.bin`;
    const progress: UploadProgress[] = [];
    try {
      const { bytes } = await session.upload(local, remote, { onProgress: (p) => progress.push(p) });
      expect(bytes).toBe(data.length);
      expect(progress.length).toBeGreaterThan(2);
      expect(progress[0]).toEqual({ transferredBytes: 0, totalBytes: data.length });
      expect(progress.at(-1)).toEqual({ transferredBytes: data.length, totalBytes: data.length });
      for (let i = 1; i < progress.length; i++) expect(progress[i]!.transferredBytes).toBeGreaterThanOrEqual(progress[i - 1]!.transferredBytes);
      const remoteSha = (await session.exec(`sha256sum ${shellQuote(remote)}`)).stdout.split(' ')[0];
      expect(remoteSha).toBe(createHash('sha256').update(data).digest('hex'));
    } finally {
      await session.exec(`rm -f ${shellQuote(remote)}`);
    }
  });

  it('cancels an upload through its AbortSignal, and the session stays usable', async () => {
    const local = join(work, 'big.bin');
    writeFileSync(local, randomBytes(32 * 1024 * 1024));
    const remote = `${uploadDir}/lk-ssh-test-abort-${process.pid}.bin`;
    const controller = new AbortController();
    try {
      const err = await rejection(
        session.upload(local, remote, { signal: controller.signal, onProgress: (p) => p.transferredBytes > 0 && controller.abort() }),
      );
      expect(err.kind).toBe('aborted');
      expect((await session.exec('echo still here')).stdout).toBe('still here\n');
    } finally {
      await session.exec(`rm -f ${shellQuote(remote)}`);
    }
  });

  it('fails an upload to a place the account cannot write, naming the path', async () => {
    const err = await rejection(session.upload(join(work, 'upload.bin'), '/root/lk-denied.bin'));
    expect(err.kind).toBe('transfer-failed');
    expect(err.message).toContain('/root/lk-denied.bin');
  });

  it('says the connection is gone after dispose', async () => {
    const s = await connectWithKey();
    s.dispose();
    const err = await rejection(s.exec('true'));
    expect(err.kind).toBe('disconnected');
  });
});
