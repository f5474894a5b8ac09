/**
 * Logging in to an SVM's klconfig and applying the wizard's settings (domain.md §4.4). The SVM's
 * host key is pinned on first contact during deployment (the server has just created that VM, so
 * there is nobody to ask) and refused if it changes afterwards.
 */
import { KlconfigClient, type KlconfigResult } from '../connectors/ssh/klconfig.ts';
import { probeHostKey, SshError, SshSession, type SshAuth } from '../connectors/ssh/ssh-session.ts';
import type { IpSettings } from '../contract/svm-deployment.ts';
import type { SvmEndpoint } from './svm-address.ts';

export const KLCONFIG_USER = 'klconfig';

export type KlconfigLogin = { endpoint: SvmEndpoint; hostKey: string | null; auths: SshAuth[]; signal?: AbortSignal };

/** Tries each credential in turn (the server's key, then passwords); returns the client and the pinned key. */
export async function openKlconfig(login: KlconfigLogin): Promise<{ client: KlconfigClient; session: SshSession; hostKey: string }> {
  const hostKey = login.hostKey ?? (await probeHostKey({ host: login.endpoint.host, port: login.endpoint.port, readyTimeoutMs: 15_000 })).fingerprint;
  let last: unknown = null;
  for (const auth of login.auths) {
    if (login.signal?.aborted) throw new SshError('aborted', `${login.endpoint.host}:${login.endpoint.port}`, 'Canceled before logging in to the SVM.');
    try {
      const session = await SshSession.connect({ host: login.endpoint.host, port: login.endpoint.port, username: KLCONFIG_USER, auth, hostKeyFingerprint: hostKey, readyTimeoutMs: 15_000 });
      return { client: new KlconfigClient(session), session, hostKey };
    } catch (e) {
      last = e;
      if (!(e instanceof SshError) || e.kind !== 'auth-failed') throw e;
    }
  }
  throw last ?? new Error('No credential to log in to the SVM with.');
}

export type SvmConfiguration = {
  publicKey?: string;
  timezone?: string;
  ip?: IpSettings;
  dns?: { servers: string[]; search: string[] };
  ksc?: { address: string; sslPort: number; port?: number };
  rootPassword?: string;
  configPassword?: string;
};

/** The commands in the order the SVM needs them; each must answer KLCONFIG OK. */
export async function applyConfiguration(client: KlconfigClient, c: SvmConfiguration, signal?: AbortSignal): Promise<string[]> {
  const done: string[] = [];
  const step = async (name: string, run: () => Promise<KlconfigResult>) => {
    if (signal?.aborted) throw new SshError('aborted', 'svm', `Canceled before klconfig "${name}".`);
    KlconfigClient.check(name, await run());
    done.push(name);
  };
  if (c.publicKey) await step('setsshkey', () => client.setSshKey(c.publicKey!));
  if (c.timezone) await step('timezone', () => client.timezone(c.timezone!));
  if (c.ip) {
    const iface = c.ip.iface ?? 'eth0';
    const ip = c.ip;
    if (ip.mode === 'dhcp') await step('dhcp', () => client.dhcp(iface, true));
    else await step('network', () => client.network({ iface, ip: ip.ip, netmask: ip.netmask, broadcast: ip.broadcast, ...(ip.gateway ? { gateway: ip.gateway } : {}) }));
  }
  if (c.dns) {
    if (c.dns.servers.length) await step('dns', () => client.dns(c.dns!.servers));
    if (c.dns.search.length) await step('dnssearch', () => client.dnsSearch(c.dns!.search));
  }
  if (c.ksc) await step('nagent', () => client.nagent(c.ksc!));
  if (c.rootPassword) await step('passwd root', () => client.passwd('root', c.rootPassword!));
  if (c.configPassword) await step('passwd klconfig', () => client.passwd('klconfig', c.configPassword!));
  return done;
}
