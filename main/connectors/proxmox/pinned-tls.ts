/**
 * TLS to a peer with a self-signed certificate, trusted by its pinned SHA-256 fingerprint only
 * (proxmox-api.md §5). Node calls checkServerIdentity only after chain verification succeeded, so
 * the certificate is compared in the connector, before a single byte of HTTP (credentials) is sent.
 */
import { isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';

export type PeerCertificate = { fingerprint: string; subject: string; issuer: string; validTo: string };

/** `AB:CD:…` upper-case, the form Node's fingerprint256 and Proxmox both print. */
export function normalizeTlsFingerprint(value: string): string | null {
  const hex = value.replace(/^sha-?256[:=\s]*/i, '').replace(/[\s:-]/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex.match(/../g)!.join(':') : null;
}

export class TlsPeerError extends Error {
  readonly kind: 'certificate-changed' | 'unreachable' | 'no-certificate';
  constructor(kind: TlsPeerError['kind'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TlsPeerError';
    this.kind = kind;
  }
}

const servername = (address: string) => (isIP(address) === 0 ? address : undefined);

export function unreachable(endpoint: string, cause: unknown): TlsPeerError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  const why = code === 'ECONNREFUSED' ? 'nothing listens on that port' : code === 'ENOTFOUND' ? 'the name does not resolve' : ((cause as Error)?.message ?? String(cause));
  return new TlsPeerError('unreachable', `Cannot connect to ${endpoint} over HTTPS: ${why}${code ? ` (${code})` : ''}.`, { cause });
}

/** Reads the certificate without trusting it, for the admin to confirm on first contact. */
export function probeTlsCertificate(address: string, port: number, timeoutMs = 10_000): Promise<PeerCertificate> {
  const endpoint = `${address}:${port}`;
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = tlsConnect({ host: address, port, servername: servername(address), rejectUnauthorized: false, timeout: timeoutMs });
    let settled = false;
    const finish = (err: Error | null, value?: PeerCertificate) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      if (!cert) return finish(new TlsPeerError('no-certificate', `${endpoint} presented no TLS certificate.`));
      finish(null, { fingerprint: cert.fingerprint256, subject: cert.subject, issuer: cert.issuer, validTo: cert.validTo });
    });
    socket.once('timeout', () => finish(new TlsPeerError('unreachable', `No TLS handshake from ${endpoint} within ${timeoutMs} ms.`)));
    socket.once('error', (err) => finish(unreachable(endpoint, err)));
  });
}

export function certificateChanged(endpoint: string, pinned: string, presented: string): TlsPeerError {
  return new TlsPeerError(
    'certificate-changed',
    `The TLS certificate of ${endpoint} has changed: it was pinned as ${pinned}, but the server now presents ${presented}. ` +
      'The connection was refused. If the server was reinstalled or its certificate renewed on purpose, confirm the new fingerprint; otherwise someone may be intercepting the connection.',
  );
}

/** An undici connector that accepts only the pinned certificate; no session reuse, so each connection shows it. */
export function pinnedConnector(pinnedFingerprint: string, timeoutMs: number): buildConnector.connector {
  const pinned = normalizeTlsFingerprint(pinnedFingerprint) ?? pinnedFingerprint;
  const base = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0, timeout: timeoutMs });
  return (options, callback) => {
    const endpoint = `${options.hostname}:${options.port}`;
    base(options, (error, socket) => {
      if (error !== null) return callback(unreachable(endpoint, error), null);
      const presented = (socket as TLSSocket).getPeerX509Certificate?.()?.fingerprint256;
      if (presented !== pinned) {
        socket.destroy();
        return callback(presented ? certificateChanged(endpoint, pinned, presented) : new TlsPeerError('no-certificate', `${endpoint} presented no TLS certificate.`), null);
      }
      callback(null, socket);
    });
  };
}
