// The Administration Server connector against the KSC OpenAPI simulator on a real loopback port
// over TLS: the tenant structure, the server's rules, login and certificate pinning, and rollback
// after a failure injected at every single call.
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdministrationServer,
  createKscClient,
  isKscError,
  KscError,
  MULTITENANCY_FOLDER_NAME,
  probeFingerprint,
  type AdministrationServer,
  type FolderResult,
  type KscCallEvent,
  type KscConnectionSettings,
  type KscUndo,
  type TenantAdminResult,
  type VirtualServerResult,
} from '../../main/connectors/ksc/index.ts';
import { startKscSimulator, type KscSimFaultMode, type KscSimulator } from '../../main/lab/ksc/index.ts';

const ADMIN = { user: 'lightkeeper-svc', password: 'Svc-Passw0rd!that-is-long' };
const OPERATOR = { user: 'groups-only', password: 'Op3rator!pass' };

const settingsFor = (sim: KscSimulator, overrides: Partial<KscConnectionSettings> = {}): KscConnectionSettings => ({
  address: sim.host,
  port: sim.port,
  user: ADMIN.user,
  password: ADMIN.password,
  pinnedFingerprint: sim.fingerprint,
  ...overrides,
});

interface Tenant {
  name: string;
  adminName: string;
  adminPassword: string;
}

interface CreatedTenant {
  parent: FolderResult;
  folder: FolderResult;
  vServer: VirtualServerResult;
  admin: TenantAdminResult;
  undo: KscUndo[];
}

/**
 * The CreateTenant steps as the task engine runs them: each step's undo is recorded as soon as the
 * step returns, and a failure takes back the finished steps in reverse order (changes a failed
 * step could not take back itself come first, from `pendingUndo`).
 */
async function createTenant(as: AdministrationServer, tenant: Tenant): Promise<CreatedTenant> {
  const undo: KscUndo[] = [];
  try {
    const parent = await as.ensureMultitenancyFolder();
    undo.push(parent.undo);
    const folder = await as.createTenantFolder(tenant.name, parent.id);
    undo.push(folder.undo);
    const vServer = await as.createVirtualServer(tenant.name, folder.id);
    undo.push(vServer.undo);
    const admin = await as.createTenantAdmin({
      virtualServerId: vServer.id,
      name: tenant.adminName,
      password: tenant.adminPassword,
      fullName: `${tenant.name} administrator`,
    });
    undo.push(admin.undo);
    return { parent, folder, vServer, admin, undo };
  } catch (error) {
    const pending = error instanceof KscError ? error.pendingUndo : [];
    for (const step of [...[...pending].reverse(), ...[...undo].reverse()]) await as.undo(step);
    throw error;
  }
}

/** DeleteTenant with artifacts: the same undo records, newest first; each is idempotent. */
async function removeTenant(as: AdministrationServer, created: CreatedTenant): Promise<void> {
  for (const step of [...created.undo].reverse()) await as.undo(step);
}

async function rejection(promise: Promise<unknown>): Promise<KscError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KscError) return error;
    throw error;
  }
  throw new Error('expected the operation to fail');
}

const mentionsSecret = (error: KscError, ...secrets: string[]): boolean => {
  const text = JSON.stringify({ message: error.message, pxg: error.pxg, stack: error.stack });
  return secrets.some((s) => text.includes(s) || text.includes(Buffer.from(s).toString('base64')));
};

describe('KSC connector against the simulator', () => {
  let sim: KscSimulator;
  const open: AdministrationServer[] = [];
  const connect = (overrides: Partial<KscConnectionSettings> = {}): AdministrationServer => {
    const as = createAdministrationServer(settingsFor(sim, overrides));
    open.push(as);
    return as;
  };

  beforeAll(async () => {
    sim = await startKscSimulator({
      host: '127.0.0.1',
      port: 0,
      user: ADMIN.user,
      password: ADMIN.password,
      operators: [{ ...OPERATOR, rights: ['groups'] }],
    });
  });
  afterEach(async () => {
    sim.clearFaults();
    await Promise.all(open.splice(0).map((as) => as.close()));
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('shows the server fingerprint on first contact', async () => {
    const info = await probeFingerprint(sim.host, sim.port);
    expect(info.fingerprint).toBe(sim.fingerprint);
    expect(info.subject).toContain('ksc-simulator');
  });

  it('creates the full tenant structure and its undo leaves the server exactly as before', async () => {
    const as = connect();
    const before = sim.snapshot();
    const alpha = await createTenant(as, { name: 'Alpha', adminName: 'alpha-admin', adminPassword: 'Alpha-admin-passw0rd-longer-than-16' });

    const state = sim.snapshot();
    const managedDevices = state.groups.find((g) => g.name === 'Managed devices' && g.vServerId === 0)!;
    expect(alpha.parent).toMatchObject({ name: MULTITENANCY_FOLDER_NAME, parentId: managedDevices.id, created: true });
    expect(state.groups).toContainEqual({ id: alpha.parent.id, name: MULTITENANCY_FOLDER_NAME, parentId: managedDevices.id, vServerId: 0 });
    expect(state.groups).toContainEqual({ id: alpha.folder.id, name: 'Alpha', parentId: alpha.parent.id, vServerId: 0 });
    const vServer = state.virtualServers.find((vs) => vs.id === alpha.vServer.id)!;
    expect(vServer).toMatchObject({ displayName: 'Alpha', parentGroupId: alpha.folder.id, enabled: true });
    expect(state.accounts).toContainEqual({
      id: alpha.admin.accountId,
      name: 'alpha-admin',
      fullName: 'Alpha administrator',
      description: '',
      vServerId: 0,
      enabled: true,
    });
    expect(vServer.permissions).toEqual([{ accountId: alpha.admin.accountId, allowMask: expect.any(Number), denyMask: 0 }]);

    // The rights are real: the tenant administrator logs in to the virtual server and administers it.
    const info = await as.getVirtualServer(alpha.vServer.id);
    expect(info).toMatchObject({ id: alpha.vServer.id, displayName: 'Alpha', parentGroupId: alpha.folder.id });
    const tenantAdmin = createKscClient(
      settingsFor(sim, { user: 'alpha-admin', password: 'Alpha-admin-passw0rd-longer-than-16', virtualServer: info!.uid }),
    );
    const root = await tenantAdmin.call('HostGroup.GroupIdGroups');
    expect(state.groups).toContainEqual(expect.objectContaining({ id: root.PxgRetVal, vServerId: alpha.vServer.id }));
    await tenantAdmin.close();

    // A second tenant adopts the existing Multitenancy folder; undoing it leaves the folder alone.
    const withAlpha = sim.snapshot();
    const beta = await createTenant(as, { name: 'Beta', adminName: 'beta-admin', adminPassword: 'Beta-passw0rd!' });
    expect(beta.parent).toEqual({ id: alpha.parent.id, name: MULTITENANCY_FOLDER_NAME, parentId: managedDevices.id, created: false, undo: { kind: 'none' } });
    await removeTenant(as, beta);
    expect(sim.snapshot()).toEqual(withAlpha);

    await removeTenant(as, alpha);
    expect(sim.snapshot()).toEqual(before);
  });

  it('refuses a tenant folder that already exists, changing nothing', async () => {
    const as = connect();
    const before = sim.snapshot();
    const gamma = await createTenant(as, { name: 'Gamma', adminName: 'gamma-admin', adminPassword: 'Gamma-passw0rd!' });
    const withGamma = sim.snapshot();
    const error = await rejection(createTenant(as, { name: 'gamma', adminName: 'other-admin', adminPassword: 'Other-passw0rd!' }));
    expect(error.code).toBe('KSC_TenantGroupAlreadyExists');
    expect(sim.snapshot()).toEqual(withGamma);
    await removeTenant(as, gamma);
    expect(sim.snapshot()).toEqual(before);
  });

  it('keeps account names unique across the main and all virtual servers', async () => {
    const as = connect();
    const before = sim.snapshot();
    const delta = await createTenant(as, { name: 'Delta', adminName: 'delta-admin', adminPassword: 'Delta-passw0rd!' });

    // Same name as an account of the main server, in another case.
    const folder = await as.createTenantFolder('Epsilon', delta.parent.id);
    const vServer = await as.createVirtualServer('Epsilon', folder.id);
    const onMain = await rejection(as.createTenantAdmin({ virtualServerId: vServer.id, name: ADMIN.user.toUpperCase(), password: 'Epsilon-passw0rd!' }));
    expect(onMain.code).toBe('KSC_AccountNameAlreadyExists');
    expect(onMain.pendingUndo).toEqual([]);

    // Same name as an account that exists only on Delta's virtual server.
    const uid = (await as.getVirtualServer(delta.vServer.id))!.uid;
    const deltaAdmin = createKscClient(settingsFor(sim, { user: 'delta-admin', password: 'Delta-passw0rd!', virtualServer: uid }));
    const protectedPassword = await deltaAdmin.call('DataProtectionApi.ProtectUtf16StringGlobally', { szwPlainText: 'Helpdesk-passw0rd!' });
    await deltaAdmin.call('SecurityPolicy.AddUser', {
      pUser: { KLSPL_USER_NAME: 'delta-helpdesk', KLSPL_USER_PWD_ENCRYPTED: protectedPassword.PxgRetVal },
    });
    await deltaAdmin.close();
    expect(sim.snapshot().accounts).toContainEqual(expect.objectContaining({ name: 'delta-helpdesk', vServerId: delta.vServer.id }));
    const withHelpdesk = sim.snapshot();
    const onVirtual = await rejection(as.createTenantAdmin({ virtualServerId: vServer.id, name: 'Delta-Helpdesk', password: 'Epsilon-passw0rd!' }));
    expect(onVirtual.code).toBe('KSC_AccountNameAlreadyExists');
    expect(onVirtual.message).toMatch(/SecurityPolicy\.AddUser failed: .*already exists/);
    expect(sim.snapshot()).toEqual(withHelpdesk);

    await as.undo(vServer.undo);
    await as.undo(folder.undo);
    // Deleting Delta's virtual server also deletes the account that lived on it.
    await as.undo({ kind: 'deleteVirtualServer', virtualServerId: delta.vServer.id });
    expect(sim.snapshot().accounts.map((a) => a.name)).not.toContain('delta-helpdesk');
    await removeTenant(as, delta);
    expect(sim.snapshot()).toEqual(before);
  });

  it('fails the login on a wrong password, without the password in the error', async () => {
    const as = connect({ password: 'Wrong-passw0rd!' });
    const error = await rejection(as.managedDevicesFolderId());
    expect(error.code).toBe('KSC_AuthenticationFailed');
    expect(error.httpStatus).toBe(401);
    expect(error.message).toContain(ADMIN.user);
    expect(mentionsSecret(error, 'Wrong-passw0rd!', ADMIN.password)).toBe(false);
  });

  it('refuses a server whose certificate is not the pinned one, before sending credentials', async () => {
    sim.clearCalls();
    const pinned = 'AA:'.repeat(31) + 'AA';
    const as = connect({ pinnedFingerprint: pinned.toLowerCase().replace(/:/g, '') });
    const error = await rejection(as.managedDevicesFolderId());
    expect(error.code).toBe('KSC_CertificateChanged');
    expect(error.message).toContain('certificate changed');
    expect(error.message).toContain(sim.fingerprint);
    expect(error.presentedFingerprint).toBe(sim.fingerprint);
    expect(sim.calls()).toEqual([]);
  });

  it('rejects a malformed pinned fingerprint', () => {
    expect(() => createKscClient(settingsFor(sim, { pinnedFingerprint: 'not-a-fingerprint' }))).toThrow(
      expect.objectContaining({ code: 'KSC_InvalidArgument' }),
    );
  });

  it('logs in again once when the session ended, and reports every call without secrets', async () => {
    const events: KscCallEvent[] = [];
    const as = connect({ onCall: (event) => events.push(event) });
    await as.managedDevicesFolderId();
    sim.expireSessions();
    sim.clearCalls();
    await as.managedDevicesFolderId();
    expect(sim.calls()).toEqual([
      { method: 'HostGroup.GroupIdGroups', outcome: 'forbidden' },
      { method: 'Session.StartSession', outcome: 'ok' },
      { method: 'HostGroup.GroupIdGroups', outcome: 'ok' },
    ]);
    expect(events.map((e) => [e.method, e.outcome])).toEqual([
      ['Session.StartSession', 'ok'],
      ['HostGroup.GroupIdGroups', 'ok'],
      ['HostGroup.GroupIdGroups', 'KSC_SessionExpired'],
      ['Session.StartSession', 'ok'],
      ['HostGroup.GroupIdGroups', 'ok'],
    ]);
    expect(new Set(events.map((e) => e.requestId)).size).toBe(events.length);
    expect(JSON.stringify(events)).not.toContain(ADMIN.password);
  });

  it('answers only KSC OpenAPI sessions: no token is 401, an unknown one 403', async () => {
    const raw = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      const post = async (headers: Record<string, string>) =>
        (await raw.request({ origin: sim.url, path: '/api/v1.0/HostGroup.GroupIdGroups', method: 'POST', headers, body: '{}' })).statusCode;
      expect(await post({ 'content-type': 'application/json' })).toBe(401);
      expect(await post({ 'content-type': 'application/json', 'x-ksc-session': 'not-a-session' })).toBe(403);
      const wrong = await raw.request({
        origin: sim.url,
        path: '/api/v1.0/Session.StartSession',
        method: 'POST',
        headers: { authorization: `KSCBasic user="${Buffer.from(ADMIN.user).toString('base64')}", pass="eA==", internal="1"` },
      });
      expect(wrong.statusCode).toBe(401);
      await wrong.body.dump();
    } finally {
      await raw.close();
    }
  });

  it('keeps the tenant administrator password out of errors even when the server echoes it', async () => {
    const as = connect();
    const parent = await as.ensureMultitenancyFolder();
    const folder = await as.createTenantFolder('Zeta', parent.id);
    const vServer = await as.createVirtualServer('Zeta', folder.id);
    sim.failNext('SecurityPolicy.AddUser', { message: 'Password Zeta-S3cret-passw0rd is too weak' });
    const error = await rejection(as.createTenantAdmin({ virtualServerId: vServer.id, name: 'zeta-admin', password: 'Zeta-S3cret-passw0rd' }));
    expect(error.code).toBe('KSC_CallFailed');
    expect(error.message).toContain('Password *** is too weak');
    expect(mentionsSecret(error, 'Zeta-S3cret-passw0rd')).toBe(false);
    for (const step of [vServer.undo, folder.undo, parent.undo]) await as.undo(step);
  });

  it('rolls back a tenant creation that fails at any single call', async () => {
    const tenant: Tenant = { name: 'Eta', adminName: 'eta-admin', adminPassword: 'Eta-passw0rd!' };
    const before = sim.snapshot();

    // Learn the exact calls of a successful creation, then fail each of them in turn.
    sim.clearCalls();
    const as = connect();
    await removeTenant(as, await createTenant(as, tenant));
    const sequence = sim.calls();
    const creationCalls = sequence.slice(0, sequence.findIndex((c) => c.method === 'VServers.SetPermissions') + 1).map((c) => c.method);
    expect(creationCalls).toEqual([
      'Session.StartSession',
      'HostGroup.GroupIdGroups',
      'HostGroup.GetGroupId',
      'HostGroup.AddGroup',
      'HostGroup.GetGroupId',
      'HostGroup.AddGroup',
      'VServers.AddVServerInfo',
      'DataProtectionApi.ProtectUtf16StringGlobally',
      'SecurityPolicy.AddUser',
      'VServers.GetPermissions',
      'VServers.SetPermissions',
    ]);
    expect(sim.snapshot()).toEqual(before);

    for (const [index, method] of creationCalls.entries()) {
      const after = creationCalls.slice(0, index).filter((m) => m === method).length;
      // A lost answer to AddUser is the one case that cannot be cleared up (see the next test).
      const modes: KscSimFaultMode[] =
        method === 'SecurityPolicy.AddUser' ? ['error', 'drop', 'hang'] : ['error', 'drop', 'hang', 'lose-answer'];
      for (const mode of modes) {
        sim.failOn(method, { mode, times: 1, after });
        const attempt = connect({ requestTimeoutMs: mode === 'hang' ? 300 : 30_000 });
        const error = await rejection(createTenant(attempt, tenant));
        expect({ index, method, mode, code: error.code }).toEqual({
          index,
          method,
          mode,
          code: mode === 'error' ? 'KSC_CallFailed' : mode === 'hang' ? 'KSC_Timeout' : 'KSC_Unreachable',
        });
        expect(mentionsSecret(error, ADMIN.password, tenant.adminPassword)).toBe(false);
        sim.clearFaults();
        expect({ index, method, mode, state: sim.snapshot() }).toEqual({ index, method, mode, state: before });
      }
    }
  });

  it('says so when the answer to creating the account is lost', async () => {
    const as = connect();
    const parent = await as.ensureMultitenancyFolder();
    const folder = await as.createTenantFolder('Lambda', parent.id);
    const vServer = await as.createVirtualServer('Lambda', folder.id);
    sim.failOn('SecurityPolicy.AddUser', { mode: 'lose-answer', times: 1 });
    const error = await rejection(as.createTenantAdmin({ virtualServerId: vServer.id, name: 'lambda-admin', password: 'Lambda-passw0rd!' }));
    expect(error.code).toBe('KSC_Unreachable');
    expect(error.message).toContain('"lambda-admin" may have been created');
    const orphan = sim.snapshot().accounts.find((a) => a.name === 'lambda-admin')!;
    for (const step of [{ kind: 'deleteAccount', accountId: orphan.id } as const, vServer.undo, folder.undo, parent.undo]) await as.undo(step);
  });

  it('takes the account back itself when granting its rights fails, or hands the undo over', async () => {
    const as = connect();
    const before = sim.snapshot();
    const parent = await as.ensureMultitenancyFolder();
    const folder = await as.createTenantFolder('Theta', parent.id);
    const vServer = await as.createVirtualServer('Theta', folder.id);
    const withServer = sim.snapshot();

    sim.failNext('VServers.SetPermissions');
    const cleaned = await rejection(as.createTenantAdmin({ virtualServerId: vServer.id, name: 'theta-admin', password: 'Theta-passw0rd!' }));
    expect(cleaned.pendingUndo).toEqual([]);
    expect(sim.snapshot()).toEqual(withServer);

    sim.failNext('VServers.SetPermissions');
    sim.failNext('SecurityPolicy.DeleteUser');
    const leftover = await rejection(as.createTenantAdmin({ virtualServerId: vServer.id, name: 'theta-admin', password: 'Theta-passw0rd!' }));
    expect(leftover.code).toBe('KSC_CallFailed');
    expect(leftover.method).toBe('VServers.SetPermissions');
    expect(leftover.pendingUndo).toEqual([{ kind: 'deleteAccount', accountId: expect.any(Number) }]);
    for (const step of [...leftover.pendingUndo, vServer.undo, folder.undo, parent.undo]) await as.undo(step);
    expect(sim.snapshot()).toEqual(before);
  });

  it('finishes a tenant removal that failed at any single call when it is run again', async () => {
    const tenant: Tenant = { name: 'Iota', adminName: 'iota-admin', adminPassword: 'Iota-passw0rd!' };
    const before = sim.snapshot();
    const as = connect();

    const created = await createTenant(as, tenant);
    sim.clearCalls();
    await removeTenant(as, created);
    const removalCalls = sim.calls().map((c) => c.method);
    expect(removalCalls).toEqual([
      'SecurityPolicy.DeleteUser',
      'VServers.DelVServer',
      'AsyncActionStateChecker.CheckActionState',
      'HostGroup.RemoveGroup',
      'AsyncActionStateChecker.CheckActionState',
      'HostGroup.RemoveGroup',
      'AsyncActionStateChecker.CheckActionState',
    ]);
    expect(sim.snapshot()).toEqual(before);

    for (const [index, method] of removalCalls.entries()) {
      const after = removalCalls.slice(0, index).filter((m) => m === method).length;
      const modes: KscSimFaultMode[] = method === 'VServers.DelVServer' || method === 'HostGroup.RemoveGroup' ? ['error', 'action-fails'] : ['error'];
      for (const mode of modes) {
        const again = await createTenant(as, tenant);
        sim.failOn(method, { mode, times: 1, after });
        const error = await rejection(removeTenant(as, again));
        expect({ index, method, mode, code: error.code }).toEqual({
          index,
          method,
          mode,
          code: mode === 'action-fails' ? 'KSC_ActionFailed' : 'KSC_CallFailed',
        });
        sim.clearFaults();
        await removeTenant(as, again);
        expect({ index, method, mode, state: sim.snapshot() }).toEqual({ index, method, mode, state: before });
      }
    }
  });

  it('deletes only empty folders unless told otherwise', async () => {
    const as = connect();
    const before = sim.snapshot();
    const parent = await as.ensureMultitenancyFolder();
    const folder = await as.createTenantFolder('Kappa', parent.id);
    const error = await rejection(as.deleteFolder(parent.id));
    expect(error.code).toBe('KSC_ActionFailed');
    expect(error.message).toContain('not empty');
    expect(await as.findFolder('Kappa', parent.id)).toBe(folder.id);
    await as.deleteFolder(parent.id, { withContents: true });
    expect(sim.snapshot()).toEqual(before);
    expect(await as.getVirtualServer(987_654)).toBeNull();
    expect((await rejection(as.deleteVirtualServer(987_654))).code).toBe('KSC_NotFound');
  });

  it('test() passes with main-administrator credentials and leaves nothing behind', async () => {
    const before = sim.snapshot();
    const report = await connect().test();
    expect(report.missing).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.presentedFingerprint).toBe(sim.fingerprint);
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['connection', true],
      ['certificate', true],
      ['credentials', true],
      ['read-groups', true],
      ['read-virtual-servers', true],
      ['manage-groups', true],
      ['manage-accounts', true],
    ]);
    expect(sim.snapshot()).toEqual(before);
  });

  it('test() lists exactly the rights an account lacks', async () => {
    const report = await connect({ user: OPERATOR.user, password: OPERATOR.password }).test();
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['read-virtual-servers', 'manage-accounts']);
    expect(report.missing).toHaveLength(2);
    expect(report.missing[0]).toMatch(/rights on virtual Administration Servers/);
    expect(report.missing[1]).toMatch(/manage internal user accounts/);
  });

  it('test() names a changed certificate, a wrong password and an unreachable server', async () => {
    const changed = await connect({ pinnedFingerprint: '11'.repeat(32) }).test();
    expect(changed.checks.find((c) => c.name === 'certificate')).toMatchObject({ ok: false, skipped: false });
    expect(changed.missing).toEqual([expect.stringContaining(sim.fingerprint)]);
    expect(changed.checks.find((c) => c.name === 'credentials')).toMatchObject({ skipped: true });

    const wrong = await connect({ password: 'nope-nope' }).test();
    expect(wrong.missing).toEqual([expect.stringMatching(/rejected the user name or password/)]);

    const idle = await startKscSimulator({ user: 'x', password: 'y' });
    const port = idle.port;
    await idle.stop();
    const down = await connect({ port }).test({ writeProbes: false });
    expect(down.ok).toBe(false);
    expect(down.checks[0]).toMatchObject({ name: 'connection', ok: false });
    expect(down.missing).toEqual([expect.stringMatching(/Cannot reach the Administration Server/)]);
  });
});

describe('KSC simulator limits and asynchronous actions', () => {
  it('refuses the 501st virtual server with KSC_VirtualServerLimitReached', async () => {
    const sim = await startKscSimulator({ user: ADMIN.user, password: ADMIN.password });
    const as = createAdministrationServer(settingsFor(sim));
    try {
      const root = await as.managedDevicesFolderId();
      const ids: number[] = [];
      for (let i = 1; i <= 500; i += 1) ids.push((await as.createVirtualServer(`Tenant ${i}`, root)).id);
      expect(new Set(ids).size).toBe(500);
      const full = sim.snapshot();
      const error = await rejection(as.createVirtualServer('Tenant 501', root));
      expect(error.code).toBe('KSC_VirtualServerLimitReached');
      expect(error.message).toContain('500');
      expect(sim.snapshot()).toEqual(full);
      // A taken display name is made unique by the server, as KSC documents.
      await as.deleteVirtualServer(ids[0]!);
      const again = await as.createVirtualServer('Tenant 2', root);
      expect(again.displayName).toBe('Tenant 2 (2)');
    } finally {
      await as.close();
      await sim.stop();
    }
  });

  it('waits for asynchronous actions that take a while', async () => {
    const sim = await startKscSimulator({ user: ADMIN.user, password: ADMIN.password, actionDelayMs: 200 });
    const as = createAdministrationServer(settingsFor(sim));
    try {
      const before = sim.snapshot();
      const root = await as.managedDevicesFolderId();
      const vServer = await as.createVirtualServer('Slow', root);
      sim.clearCalls();
      await as.deleteVirtualServer(vServer.id);
      const polls = sim.calls().filter((c) => c.method === 'AsyncActionStateChecker.CheckActionState');
      expect(polls.length).toBeGreaterThan(1);
      expect(sim.snapshot()).toEqual(before);
    } finally {
      await as.close();
      await sim.stop();
    }
  });

  it('ends its session on close', async () => {
    const sim = await startKscSimulator({ user: ADMIN.user, password: ADMIN.password });
    const client = createKscClient(settingsFor(sim));
    try {
      await client.login();
      await client.close();
      expect(sim.calls().map((c) => c.method)).toEqual(['Session.StartSession', 'Session.EndSession']);
      expect(isKscError(await rejection(client.call('Session.Ping')), 'KSC_Unreachable')).toBe(true);
    } finally {
      await sim.stop();
    }
  });
});
