import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { generate } from 'selfsigned';
import type { DataFolder } from '../store/data-folder.ts';
import type { Sealer } from '../store/sealing.ts';

export type ServerCertificate = {
  cert: string;
  key: string;
  fingerprint256: string;
  subjectAltNames: string[];
  validFrom: string;
  validTo: string;
};

const VALIDITY_YEARS = 5;

/** Every name and address a client may use to reach this machine: all of them go into the SANs. */
export function localNames(extra: string[] = []): { dns: string[]; ips: string[] } {
  const dns = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) ips.add(a.address.split('%')[0]!);
  }
  for (const name of extra) {
    if (name === '0.0.0.0' || name === '::') continue;
    if (isIP(name)) ips.add(name);
    else dns.add(name);
  }
  return { dns: [...dns], ips: [...ips] };
}

function describe(cert: string, key: string): ServerCertificate {
  const x = new X509Certificate(cert);
  return {
    cert,
    key,
    fingerprint256: x.fingerprint256,
    subjectAltNames: (x.subjectAltName ?? '').split(', ').filter(Boolean),
    validFrom: new Date(x.validFrom).toISOString(),
    validTo: new Date(x.validTo).toISOString(),
  };
}

export async function generateCertificate(folder: DataFolder, sealer: Sealer, extraNames: string[] = []): Promise<ServerCertificate> {
  const { dns, ips } = localNames(extraNames);
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate);
  notAfterDate.setFullYear(notAfterDate.getFullYear() + VALIDITY_YEARS);
  const pems = await generate([{ name: 'commonName', value: `Lightkeeper Integration Server (${hostname()})` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...dns.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  writeFileSync(folder.tlsCertificate, pems.cert, { mode: 0o644 });
  // The private key is sealed like every other secret: a copy of the folder without the data key cannot impersonate the server.
  writeFileSync(folder.tlsKeySealed, sealer.seal(pems.private), { mode: 0o600 });
  return describe(pems.cert, pems.private);
}

export function readCertificate(folder: DataFolder, sealer: Sealer): ServerCertificate | undefined {
  if (!existsSync(folder.tlsCertificate) || !existsSync(folder.tlsKeySealed)) return undefined;
  return describe(readFileSync(folder.tlsCertificate, 'utf8'), sealer.open(readFileSync(folder.tlsKeySealed, 'utf8')));
}

export async function ensureCertificate(folder: DataFolder, sealer: Sealer, extraNames: string[] = []) {
  const existing = readCertificate(folder, sealer);
  if (existing) return { certificate: existing, created: false };
  return { certificate: await generateCertificate(folder, sealer, extraNames), created: true };
}
