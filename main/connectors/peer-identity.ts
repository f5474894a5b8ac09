/**
 * First contact with a hypervisor: read the identity it presents (SSH host key or TLS
 * certificate) without logging in, so the admin can compare it and confirm it before anything is
 * stored or any credential is sent.
 */
import type { PeerIdentity } from '../contract/infrastructure.ts';
import { defaultPort, PLATFORM_TRANSPORT, type Platform } from '../contract/platforms.ts';
import { normalizeTlsFingerprint, probeTlsCertificate } from './proxmox/pinned-tls.ts';
import { normalizeFingerprint, probeHostKey } from './ssh/ssh-session.ts';

export async function probePeerIdentity(platform: Platform, address: string, port?: number): Promise<PeerIdentity> {
  const p = port ?? defaultPort(platform);
  if (PLATFORM_TRANSPORT[platform] === 'ssh') {
    const key = await probeHostKey({ host: address, port: p, readyTimeoutMs: 10_000 });
    return { kind: 'ssh-host-key', fingerprint: key.fingerprint, detail: `${key.algorithm} host key of ${address}:${p}` };
  }
  const cert = await probeTlsCertificate(address, p);
  return { kind: 'tls-certificate', fingerprint: cert.fingerprint, detail: `TLS certificate of ${address}:${p}: ${cert.subject.replace(/\n/g, ', ')}; issued by ${cert.issuer.replace(/\n/g, ', ')}; valid to ${cert.validTo}` };
}

/** The form fingerprints are stored and compared in, whatever case or padding the admin typed. */
export function canonicalFingerprint(platform: Platform, fingerprint: string): string | null {
  if (PLATFORM_TRANSPORT[platform] === 'ssh') {
    const f = normalizeFingerprint(fingerprint);
    return /^SHA256:[A-Za-z0-9+/]{43}$/.test(f) ? f : null;
  }
  return normalizeTlsFingerprint(fingerprint);
}
