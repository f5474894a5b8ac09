/**
 * One SSH connection to a hypervisor host or an SVM, with the peer's host key PINNED.
 *
 * node-ssh (ssh2) accepts any host key unless it is given a hostVerifier, so every connection here
 * carries one: it compares the SHA-256 fingerprint of the key the server presents (OpenSSH's
 * `SHA256:<base64>` form, as `ssh-keygen -l -E sha256` prints it) with the pinned one. The first
 * contact goes through probeHostKey(), which only reads the key (no login) so that the admin can
 * confirm it; a key that differs from the pinned one afterwards refuses the connection and says so.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { NodeSSH } from 'node-ssh';

export type HostKey = {
  /** Key type from the key blob, e.g. `ssh-ed25519`. */
  algorithm: string;
  /** `SHA256:` + unpadded base64 of the SHA-256 of the key blob. */
  fingerprint: string;
  /** The key blob, base64 (the second field of a `.pub` / known_hosts line). */
  publicKey: string;
};

export type SshAuth = { password: string } | { privateKey: string; passphrase?: string };

export type SshTarget = {
  host: string;
  port?: number;
  /** Handshake timeout; default 20 s. */
  readyTimeoutMs?: number;
};

export type SshConnectOptions = SshTarget & {
  username: string;
  auth: SshAuth;
  /** The pinned host key fingerprint (`SHA256:…`), as confirmed by the admin. */
  hostKeyFingerprint: string;
};

export type SshErrorKind =
  | 'host-key-changed'
  | 'auth-failed'
  | 'unreachable'
  | 'timeout'
  | 'disconnected'
  | 'aborted'
  | 'transfer-failed'
  | 'protocol';

/** A failure worded for a provider's admin; `kind` lets callers react without parsing text. */
export class SshError extends Error {
  readonly kind: SshErrorKind;
  readonly endpoint: string;
  constructor(kind: SshErrorKind, endpoint: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SshError';
    this.kind = kind;
    this.endpoint = endpoint;
  }
}

export type ExecResult = { code: number | null; signal: string | null; stdout: string; stderr: string };

export type ExecOptions = {
  /** Written to the command's stdin, which is then closed. Without it stdin is closed at once. */
  stdin?: string;
  signal?: AbortSignal;
};

export type UploadProgress = { transferredBytes: number; totalBytes: number };

export type UploadOptions = {
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  /** SFTP write size and writes in flight: 256 KiB × 16 measured fastest on loopback (lab.md §1). */
  chunkSize?: number;
  concurrency?: number;
};

const DEFAULT_PORT = 22;
const DEFAULT_READY_TIMEOUT_MS = 20_000;

export const endpointOf = (target: SshTarget) => `${target.host}:${target.port ?? DEFAULT_PORT}`;

/** Reads the key type, the first SSH string of the blob (uint32 length + bytes). */
export function hostKeyFromBlob(blob: Buffer): HostKey {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const algorithm = length > 0 && length <= blob.length - 4 ? blob.subarray(4, 4 + length).toString('latin1') : 'unknown';
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { algorithm, fingerprint, publicKey: blob.toString('base64') };
}

/** Accepts `SHA256:abc` and a bare `abc`, with or without base64 padding. */
export function normalizeFingerprint(fingerprint: string): string {
  const bare = fingerprint.trim().replace(/^SHA256:/i, '').replace(/=+$/, '');
  return `SHA256:${bare}`;
}

/** Quotes one word for the remote POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

type Ssh2Error = Error & { level?: string; code?: string | number };

function classify(err: unknown, endpoint: string, username: string | null): SshError {
  if (err instanceof SshError) return err;
  const e = err as Ssh2Error;
  const detail = e?.message ?? String(err);
  if (e?.level === 'client-authentication') {
    return new SshError('auth-failed', endpoint, `SSH login as "${username}" to ${endpoint} was refused: wrong password or key, or the account may not log in.`, { cause: err });
  }
  if (e?.level === 'client-timeout' || e?.code === 'ETIMEDOUT') {
    return new SshError('timeout', endpoint, `${endpoint} did not answer the SSH handshake in time (${detail}).`, { cause: err });
  }
  if (typeof e?.code === 'string' && ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET'].includes(e.code)) {
    const why = e.code === 'ECONNREFUSED' ? 'nothing listens on that port' : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? 'the name does not resolve' : 'the host cannot be reached';
    return new SshError('unreachable', endpoint, `Cannot connect to ${endpoint} over SSH: ${why} (${e.code}).`, { cause: err });
  }
  return new SshError('protocol', endpoint, `SSH to ${endpoint} failed: ${detail}`, { cause: err });
}

/** Minimal view of ssh2's SFTP wrapper (node-ssh ships no types for ssh2). */
type SftpWrapper = {
  fastPut(
    local: string,
    remote: string,
    options: { chunkSize?: number; concurrency?: number; step?: (transferred: number, chunk: number, total: number) => void },
    callback: (err?: Error | null) => void,
  ): void;
  end(): void;
};

type Ssh2Client = {
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'close' | 'end', listener: () => void): unknown;
};

/**
 * Connects only far enough to see the server's host key, then refuses it: no credentials are sent.
 * The admin confirms the returned fingerprint, which is then passed to SshSession.connect().
 */
export async function probeHostKey(target: SshTarget): Promise<HostKey> {
  const endpoint = endpointOf(target);
  let seen: HostKey | null = null;
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      host: target.host,
      port: target.port ?? DEFAULT_PORT,
      username: 'lightkeeper-host-key-probe',
      readyTimeout: target.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      hostVerifier: (key: Buffer) => {
        seen = hostKeyFromBlob(key);
        return false;
      },
    });
  } catch (err) {
    if (seen) return seen;
    throw classify(err, endpoint, null);
  } finally {
    ssh.dispose();
  }
  throw new SshError('protocol', endpoint, `${endpoint} accepted an SSH session without showing its host key.`);
}

export class SshSession {
  readonly endpoint: string;
  readonly username: string;
  readonly hostKey: HostKey;
  #ssh: NodeSSH;
  #lastError: Error | null = null;
  #closed = false;
  /** Called when the connection closes: a transfer in flight must fail then, not wait forever. */
  #onClose = new Set<() => void>();

  private constructor(ssh: NodeSSH, endpoint: string, username: string, hostKey: HostKey) {
    this.#ssh = ssh;
    this.endpoint = endpoint;
    this.username = username;
    this.hostKey = hostKey;
    const connection = ssh.connection as unknown as Ssh2Client | null;
    // ssh2 emits 'error' on a dropped connection; without a listener that would crash the process.
    connection?.on('error', (err) => {
      this.#lastError = err;
    });
    connection?.on('close', () => {
      this.#closed = true;
      for (const f of this.#onClose) f();
    });
  }

  static async connect(options: SshConnectOptions): Promise<SshSession> {
    const endpoint = endpointOf(options);
    const pinned = normalizeFingerprint(options.hostKeyFingerprint);
    let presented: HostKey | null = null;
    const ssh = new NodeSSH();
    const auth = 'password' in options.auth
      ? { password: options.auth.password, tryKeyboard: true }
      : { privateKey: options.auth.privateKey, ...(options.auth.passphrase !== undefined ? { passphrase: options.auth.passphrase } : {}) };
    try {
      await ssh.connect({
        host: options.host,
        port: options.port ?? DEFAULT_PORT,
        username: options.username,
        readyTimeout: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
        keepaliveInterval: 15_000,
        ...auth,
        hostVerifier: (key: Buffer) => {
          presented = hostKeyFromBlob(key);
          return presented.fingerprint === pinned;
        },
      });
    } catch (err) {
      ssh.dispose();
      const shown = presented as HostKey | null;
      if (shown && shown.fingerprint !== pinned) {
        throw new SshError(
          'host-key-changed',
          endpoint,
          `The SSH host key of ${endpoint} has changed: it was pinned as ${pinned}, but the host now presents ${shown.fingerprint} (${shown.algorithm}). ` +
            'The connection was refused. If the host was reinstalled or its key was replaced on purpose, confirm the new key; otherwise someone may be intercepting the connection.',
          { cause: err },
        );
      }
      throw classify(err, endpoint, options.username);
    }
    return new SshSession(ssh, endpoint, options.username, presented as unknown as HostKey);
  }

  get connected(): boolean {
    return !this.#closed && this.#ssh.isConnected();
  }

  #lost(cause?: unknown): SshError {
    const why = this.#lastError?.message ?? (cause instanceof Error ? cause.message : 'connection closed');
    return new SshError('disconnected', this.endpoint, `The SSH connection to ${this.endpoint} was lost (${why}).`, { cause: cause ?? this.#lastError });
  }

  /** Runs one command line (already quoted, see shellQuote) and returns its exit code and output. */
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (!this.connected) throw this.#lost();
    const { signal } = options;
    if (signal?.aborted) throw new SshError('aborted', this.endpoint, `Canceled before running a command on ${this.endpoint}.`);
    let channel: { close(): void } | null = null;
    const onAbort = () => channel?.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await this.#ssh.execCommand(command, {
        ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
        noTrim: true,
        onChannel: (c) => {
          channel = c as unknown as { close(): void };
        },
      });
      if (signal?.aborted) throw new SshError('aborted', this.endpoint, `Canceled while running a command on ${this.endpoint}.`);
      if (result.code === null && result.signal === null && !this.connected) throw this.#lost();
      return { code: result.code, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
    } catch (err) {
      if (err instanceof SshError) throw err;
      if (!this.connected) throw this.#lost(err);
      throw classify(err, this.endpoint, this.username);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Uploads a local file over SFTP (ssh2 fastPut: parallel writes), reporting progress. */
  async upload(localPath: string, remotePath: string, options: UploadOptions = {}): Promise<{ bytes: number }> {
    const { size } = await stat(localPath);
    if (!this.connected) throw this.#lost();
    const { signal } = options;
    if (signal?.aborted) throw new SshError('aborted', this.endpoint, `Upload to ${this.endpoint} canceled before it started.`);
    let sftp: SftpWrapper;
    try {
      sftp = (await this.#ssh.requestSFTP()) as unknown as SftpWrapper;
    } catch (err) {
      if (!this.connected) throw this.#lost(err);
      throw new SshError('transfer-failed', this.endpoint, `${this.endpoint} refused an SFTP session: ${(err as Error).message}`, { cause: err });
    }
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      sftp.end();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    options.onProgress?.({ transferredBytes: 0, totalBytes: size });
    try {
      await new Promise<void>((resolve, reject) => {
        // ssh2 does not always fail the pending SFTP writes when the connection drops; the close does.
        const onClose = () => reject(new Error('connection closed during the transfer'));
        this.#onClose.add(onClose);
        const settle = (err?: Error | null) => {
          this.#onClose.delete(onClose);
          if (err) reject(err);
          else resolve();
        };
        sftp.fastPut(
          localPath,
          remotePath,
          {
            chunkSize: options.chunkSize ?? 262_144,
            concurrency: options.concurrency ?? 16,
            step: (transferred, _chunk, total) => options.onProgress?.({ transferredBytes: transferred, totalBytes: total }),
          },
          settle,
        );
      });
    } catch (err) {
      if (aborted) throw new SshError('aborted', this.endpoint, `Upload of ${localPath} to ${this.endpoint}:${remotePath} was canceled.`, { cause: err });
      if (!this.connected) throw this.#lost(err);
      const detail = (err as Error).message;
      throw new SshError('transfer-failed', this.endpoint, `Upload of ${localPath} to ${this.endpoint}:${remotePath} failed: ${detail}`, { cause: err });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!aborted) {
        try {
          sftp.end();
        } catch {
          // the connection is already gone
        }
      }
    }
    return { bytes: size };
  }

  dispose(): void {
    this.#closed = true;
    this.#ssh.dispose();
  }
}
