/**
 * The Administration Server's certificate is usually self-signed, so instead of a CA chain we
 * trust exactly one certificate: the one whose SHA-256 fingerprint the administrator pinned after
 * seeing it on first contact (`probeFingerprint`).
 *
 * Why a custom connector and not `connect: { rejectUnauthorized: false, checkServerIdentity }`:
 * Node calls `checkServerIdentity` only when chain verification already succeeded, so for a
 * self-signed certificate it is never called, and with `rejectUnauthorized: false` its verdict
 * would be ignored anyway. We let undici open the TLS socket without chain verification, then
 * compare the presented certificate before a single byte of HTTP (credentials!) is written.
 */
import { isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';
import { KscError } from './ksc-error.ts';

export const DEFAULT_KSC_PORT = 13299;

/** Upper-case hex pairs joined by colons, as Node's `fingerprint256` and most consoles print it. */
export function normalizeFingerprint(value: string): string {
  const hex = value.replace(/^sha-?256[:=\s]*/i, '').replace(/[\s:-]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new KscError(
      'KSC_InvalidArgument',
      'The pinned fingerprint must be a SHA-256 fingerprint: 64 hexadecimal digits, colons allowed.',
    );
  }
  return hex.match(/../g)!.join(':');
}

export interface KscCertificateInfo {
  /** SHA-256 of the DER certificate, `AB:CD:…`. */
  fingerprint: string;
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
}

export function certificateChangedError(pinned: string, presented: string, endpoint: string): KscError {
  return new KscError(
    'KSC_CertificateChanged',
    `The Administration Server at ${endpoint} presented a different TLS certificate than the pinned one: ` +
      `the certificate changed. New SHA-256 fingerprint: ${presented} (pinned: ${pinned}). ` +
      'If the server was reinstalled or its certificate renewed, check the new fingerprint on the server and pin it.',
    { presentedFingerprint: presented },
  );
}

const servernameFor = (address: string): string | undefined => (isIP(address) === 0 ? address : undefined);

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the server running and the port right?)',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection closed without an answer',
  UND_ERR_CLOSED: 'the connection closed without an answer',
  EPROTO: 'TLS handshake failed',
};

export function unreachableError(endpoint: string, cause: unknown): KscError {
  const code = cause instanceof Error ? (cause as NodeJS.ErrnoException).code : undefined;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new KscError('KSC_Timeout', `No TLS connection to the Administration Server at ${endpoint} in time.`, { cause });
  }
  const reason =
    code !== undefined ? `${REASONS[code] ?? code} (${code})` : cause instanceof Error ? cause.message : String(cause);
  return new KscError('KSC_Unreachable', `Cannot reach the Administration Server at ${endpoint}: ${reason}.`, { cause });
}

/**
 * Connects once, reads the server certificate without trusting it, and disconnects. What the
 * settings screen and `lightkeeper ksc set` show so the administrator can compare and pin it.
 */
export function probeFingerprint(
  address: string,
  port: number = DEFAULT_KSC_PORT,
  options: { timeoutMs?: number } = {},
): Promise<KscCertificateInfo> {
  const endpoint = `${address}:${port}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    const socket: TLSSocket = tlsConnect({
      host: address,
      port,
      servername: servernameFor(address),
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const finish = (error: KscError | null, info?: KscCertificateInfo): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(info!);
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      if (!cert) {
        finish(new KscError('KSC_ProtocolError', `The server at ${endpoint} presented no TLS certificate.`));
        return;
      }
      finish(null, {
        fingerprint: cert.fingerprint256,
        subject: cert.subject,
        issuer: cert.issuer,
        validFrom: cert.validFrom,
        validTo: cert.validTo,
      });
    });
    socket.once('timeout', () =>
      finish(new KscError('KSC_Timeout', `No TLS handshake from ${endpoint} within ${timeoutMs} ms.`)),
    );
    socket.once('error', (error) => finish(unreachableError(endpoint, error)));
  });
}

/**
 * An undici connector that accepts the TLS connection only when the server's certificate has the
 * pinned SHA-256 fingerprint. Session resumption is off so every connection shows its certificate.
 */
export function createPinnedConnector(pinnedFingerprint: string, connectTimeoutMs: number): buildConnector.connector {
  const pinned = normalizeFingerprint(pinnedFingerprint);
  const base = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0, timeout: connectTimeoutMs });
  return (options, callback) => {
    const endpoint = `${options.hostname}:${options.port}`;
    base(options, (error, socket) => {
      if (error !== null) {
        callback(unreachableError(endpoint, error), null);
        return;
      }
      const cert = (socket as TLSSocket).getPeerX509Certificate?.();
      const presented = cert?.fingerprint256;
      if (presented !== pinned) {
        socket.destroy();
        callback(
          presented === undefined
            ? new KscError('KSC_ProtocolError', `The server at ${endpoint} presented no TLS certificate.`)
            : certificateChangedError(pinned, presented, endpoint),
          null,
        );
        return;
      }
      callback(null, socket);
    });
  };
}
