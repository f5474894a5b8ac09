/**
 * Infrastructure connections (issue 8 item 1): the peer's identity is shown on first contact and
 * stored only when the admin confirms it; the credential is sealed; `test` reports every check.
 */
import { randomUUID } from 'node:crypto';
import { INFRA_CODES, type AddInfrastructureRequest, type Infrastructure, type PeerIdentity, type ProbeRequest } from '../contract/infrastructure.ts';
import { defaultPort, PLATFORM_TRANSPORT, PLATFORMS, type Platform } from '../contract/platforms.ts';
import { connectHypervisor, supportedPlatforms, type AccessReport, type HypervisorConnection, type HypervisorConnector, type Inventory } from '../connectors/hypervisor.ts';
import { canonicalFingerprint, probePeerIdentity } from '../connectors/peer-identity.ts';
import { DuplicateNameError, type InfrastructureRecord, type InfrastructureStore, type StoredCredential } from '../store/infrastructure-repositories.ts';
import { LifecycleError } from './lifecycle-error.ts';
import { describeFault } from './lifecycle-faults.ts';

export type InfrastructureServiceOptions = {
  store: InfrastructureStore;
  now: () => Date;
  connect?: (connection: HypervisorConnection) => Promise<HypervisorConnector>;
  probe?: (platform: Platform, address: string, port?: number) => Promise<PeerIdentity>;
};

export const toContractInfrastructure = (r: InfrastructureRecord): Infrastructure => ({
  id: r.id,
  name: r.name,
  platform: r.platform,
  address: r.address,
  port: r.port,
  account: r.account,
  credentialKind: 'password' in r.credential ? 'password' : 'privateKey' in r.credential ? 'privateKey' : 'apiToken',
  fingerprint: r.fingerprint,
  options: r.options,
  created: r.created,
  updated: r.updated,
});

export const connectionOf = (r: InfrastructureRecord): HypervisorConnection => ({
  platform: r.platform,
  address: r.address,
  port: r.port,
  account: r.account,
  credential: r.credential,
  fingerprint: r.fingerprint,
  options: r.options,
});

function credentialOf(req: AddInfrastructureRequest): StoredCredential {
  const given = [req.password, req.privateKey, req.apiToken].filter((v) => v !== undefined && v !== '');
  if (given.length !== 1) throw new LifecycleError(INFRA_CODES.badCredential, 400, 'Give exactly one credential: a password, a private key or an API token.');
  const transport = PLATFORM_TRANSPORT[req.platform];
  if (req.apiToken && transport === 'ssh') throw new LifecycleError(INFRA_CODES.badCredential, 400, `${PLATFORMS[req.platform].title} is reached over SSH: give a password or a private key, not an API token.`);
  if (req.privateKey && transport === 'https') throw new LifecycleError(INFRA_CODES.badCredential, 400, `${PLATFORMS[req.platform].title} is reached over HTTPS: give a password or an API token, not an SSH key.`);
  if (req.privateKey) {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(req.privateKey)) throw new LifecycleError(INFRA_CODES.badCredential, 400, 'The private key is not a PEM or OpenSSH private key ("-----BEGIN … PRIVATE KEY-----").');
    return { privateKey: req.privateKey, ...(req.passphrase ? { passphrase: req.passphrase } : {}) };
  }
  return req.password ? { password: req.password } : { apiToken: req.apiToken! };
}

export function createInfrastructureService(options: InfrastructureServiceOptions) {
  const repo = options.store.infrastructures;
  const connect = options.connect ?? connectHypervisor;
  const probe = options.probe ?? probePeerIdentity;
  const stamp = () => options.now().toISOString();

  function requireSupported(platform: Platform): void {
    if (!supportedPlatforms().includes(platform)) {
      const supported = supportedPlatforms().map((p) => PLATFORMS[p].title).join(', ');
      throw new LifecycleError(INFRA_CODES.notSupported, 422, `${PLATFORMS[platform].title} is not supported yet: Lightkeeper cannot deploy SVMs there. Supported platforms: ${supported}.`);
    }
  }

  async function probeOrExplain(platform: Platform, address: string, port: number): Promise<PeerIdentity> {
    try {
      return await probe(platform, address, port);
    } catch (e) {
      throw new LifecycleError(INFRA_CODES.unreachable, 502, describeFault(e), {}, { cause: e });
    }
  }

  async function get(id: string): Promise<InfrastructureRecord> {
    const r = await repo.get(id);
    if (!r) throw new LifecycleError(INFRA_CODES.notFound, 404, `No infrastructure connection ${id}.`);
    return r;
  }

  return {
    /** What the peer presents, for the admin to compare before confirming. */
    async probe(req: ProbeRequest): Promise<PeerIdentity> {
      requireSupported(req.platform);
      return probeOrExplain(req.platform, req.address, req.port ?? defaultPort(req.platform));
    },

    async add(req: AddInfrastructureRequest): Promise<Infrastructure> {
      requireSupported(req.platform);
      const credential = credentialOf(req);
      const port = req.port ?? defaultPort(req.platform);
      const presented = await probeOrExplain(req.platform, req.address, port);
      if (!req.fingerprint) {
        throw new LifecycleError(
          INFRA_CODES.unconfirmed,
          409,
          `${req.address}:${port} presents this ${presented.kind === 'ssh-host-key' ? 'SSH host key' : 'TLS certificate'}: ${presented.fingerprint} (${presented.detail}). ` +
            'Compare it with the one the host shows on its own console, then send it back as "fingerprint" to confirm. Nothing was stored.',
          { presented },
        );
      }
      const confirmed = canonicalFingerprint(req.platform, req.fingerprint);
      if (confirmed !== presented.fingerprint) {
        throw new LifecycleError(
          INFRA_CODES.fingerprintMismatch,
          409,
          `The fingerprint you confirmed (${req.fingerprint}) is not the one ${req.address}:${port} presents now (${presented.fingerprint}). Nothing was stored; probe again and compare.`,
          { presented },
        );
      }
      const t = stamp();
      const record: InfrastructureRecord = {
        id: randomUUID(),
        name: req.name,
        platform: req.platform,
        address: req.address,
        port,
        account: req.account,
        credential,
        fingerprint: presented.fingerprint,
        options: req.options ?? {},
        created: t,
        updated: t,
      };
      try {
        await repo.insert(record);
      } catch (e) {
        if (e instanceof DuplicateNameError) throw new LifecycleError(INFRA_CODES.nameTaken, 409, `An infrastructure connection named "${req.name}" already exists.`);
        throw e;
      }
      return toContractInfrastructure(record);
    },

    async list(): Promise<Infrastructure[]> {
      return (await repo.list()).map(toContractInfrastructure);
    },

    async get(id: string): Promise<Infrastructure> {
      return toContractInfrastructure(await get(id));
    },

    record: get,

    /** Reachability, identity, credentials and rights: every check, each saying what is missing. */
    async test(id: string): Promise<AccessReport> {
      const r = await get(id);
      let connector: HypervisorConnector;
      try {
        connector = await connect(connectionOf(r));
      } catch (e) {
        const message = describeFault(e);
        const id = /has changed/.test(message) ? 'identity' : /refused|wrong password|authentication|login/i.test(message) ? 'login' : 'reachable';
        return { ok: false, checks: [{ id, ok: false, detail: message }] };
      }
      try {
        const report = await connector.checkAccess();
        const pinned = { id: 'identity', ok: true, detail: `The peer presented the pinned identity ${r.fingerprint}.` };
        return { ok: report.ok, checks: [pinned, ...report.checks] };
      } finally {
        await connector.close().catch(() => undefined);
      }
    },

    /** After a deliberate key/certificate change: pin what the peer presents now, if it is what the admin saw. */
    async confirmFingerprint(id: string, fingerprint: string): Promise<Infrastructure> {
      const r = await get(id);
      const presented = await probeOrExplain(r.platform, r.address, r.port);
      if (canonicalFingerprint(r.platform, fingerprint) !== presented.fingerprint) {
        throw new LifecycleError(INFRA_CODES.fingerprintMismatch, 409, `${r.address}:${r.port} presents ${presented.fingerprint}, not ${fingerprint}; the pinned identity was not changed.`, { presented });
      }
      await repo.updateFingerprint(id, presented.fingerprint, stamp());
      return toContractInfrastructure(await get(id));
    },

    async remove(id: string): Promise<void> {
      await get(id);
      const svms = await options.store.deployedSvms.list({ infrastructureId: id });
      if (svms.length > 0) {
        throw new LifecycleError(INFRA_CODES.inUse, 409, `This infrastructure still runs ${svms.length} SVM(s) deployed by Lightkeeper (${svms.map((s) => s.name).join(', ')}). Remove them first.`);
      }
      await repo.remove(id);
    },

    /** Hosts, storage, networks and VMs, for the wizard's pickers; connection faults in the admin's words. */
    async inventory(id: string): Promise<Inventory> {
      const r = await get(id);
      let connector: HypervisorConnector;
      try {
        connector = await connect(connectionOf(r));
      } catch (e) {
        throw new LifecycleError(INFRA_CODES.unreachable, 502, describeFault(e), {}, { cause: e });
      }
      try {
        return await connector.inventory();
      } catch (e) {
        throw new LifecycleError(INFRA_CODES.unreachable, 502, `Reading the inventory of "${r.name}" failed: ${describeFault(e)}`, {}, { cause: e });
      } finally {
        await connector.close().catch(() => undefined);
      }
    },

    /** A connected connector for services; the caller closes it. */
    async open(id: string): Promise<{ record: InfrastructureRecord; connector: HypervisorConnector }> {
      const record = await get(id);
      return { record, connector: await connect(connectionOf(record)) };
    },
  };
}
export type InfrastructureService = ReturnType<typeof createInfrastructureService>;
