/**
 * What the tenant tasks need from the Administration Server (domain.md §6, rest-api.md §2.1),
 * one operation per task step, each all-or-nothing and each returning the undo that takes it back:
 *
 *   ensureMultitenancyFolder  →  `Multitenancy KSV LA` under Managed devices (created once, adopted after)
 *   createTenantFolder        →  `<Tenant name>` inside it
 *   createVirtualServer       →  the tenant's virtual Administration Server
 *   createTenantAdmin         →  the tenant administrator's account, main-administrator rights on the vAS
 *
 * Undo records are plain JSON so the task engine can store them with the step and run them in
 * reverse order after a failure, also after a crash of our process. `undo()` is idempotent: an
 * object that is already gone counts as undone.
 */
import { randomBytes } from 'node:crypto';
import { createKscClient, type KscClient, type KscConnectionSettings, type KscResponse } from './ksc-client.ts';
import { isKscError, KscError, type KscUndo } from './ksc-error.ts';
import { isRecord, kscInteger, kscParamsItem, requireInteger, unwrapParams, type KscParams } from './ksc-values.ts';
import { DEFAULT_KSC_PORT, normalizeFingerprint, probeFingerprint } from './tls-pinning.ts';

export const MULTITENANCY_FOLDER_NAME = 'Multitenancy KSV LA';
/** `HostGroup.RemoveGroup` flag: delete only a group without subgroups, hosts, policies, tasks, servers. */
const REMOVE_ONLY_IF_EMPTY = 1;
/** `HostGroup.RemoveGroup` flag: delete with subgroups, hosts, policies and tasks. */
const REMOVE_WITH_CONTENTS = 3;

export interface FolderResult {
  id: number;
  name: string;
  parentId: number;
  /** `false` when the folder already existed and was adopted; its undo is then `none`. */
  created: boolean;
  undo: KscUndo;
}

export interface VirtualServerResult {
  /** `KLVSRV_ID`: what the vendor API shows as `<vKsc id>`. */
  id: number;
  /** `KLVSRV_DN`; KSC appends a suffix when the name is already taken. */
  displayName: string;
  parentGroupId: number;
  undo: KscUndo;
}

export interface VirtualServerInfo {
  id: number;
  /** `KLVSRV_UID`: the globally unique name used to log in to this virtual server. */
  uid: string;
  displayName: string;
  parentGroupId: number;
}

export interface TenantAdminInput {
  virtualServerId: number;
  /** Internal account name; unique across the main and all virtual Administration Servers. */
  name: string;
  /** Plain text, already decoded from the request's Base64. Sent only inside the protect call. */
  password: string;
  fullName?: string;
  description?: string;
}

export interface AccountInfo {
  id: number;
  name: string;
  description: string;
}

export interface TenantAdminResult {
  accountId: number;
  name: string;
  virtualServerId: number;
  undo: KscUndo;
}

export const KSC_CHECKS = [
  'connection',
  'certificate',
  'credentials',
  'read-groups',
  'read-virtual-servers',
  'manage-groups',
  'manage-accounts',
] as const;
export type KscCheckName = (typeof KSC_CHECKS)[number];

export interface KscCheck {
  name: KscCheckName;
  ok: boolean;
  /** Not run because an earlier check failed, or write probes were turned off. */
  skipped: boolean;
  message: string;
}

export interface KscTestReport {
  ok: boolean;
  /** The fingerprint the server presented, when it could be reached. */
  presentedFingerprint?: string;
  checks: KscCheck[];
  /** One sentence per failed check: exactly what is missing. Empty when `ok`. */
  missing: string[];
}

export interface KscTestOptions {
  /**
   * Also prove the write rights by creating and removing a throw-away folder and account.
   * Default true; nothing is left behind unless the server fails between the two calls.
   */
  writeProbes?: boolean;
}

export interface AdministrationServer {
  /** Reachability, pinned certificate, credentials and the rights the tenant tasks need. */
  test(options?: KscTestOptions): Promise<KscTestReport>;
  /** `HostGroup.GroupIdGroups`: the id of *Managed devices*. */
  managedDevicesFolderId(): Promise<number>;
  /**
   * Finds `Multitenancy KSV LA` under Managed devices, or creates it. Run it for one tenant task
   * at a time: KSC's AddGroup returns an existing group, so two tasks racing here would both
   * believe they created the folder (their undo deletes it only while it is empty).
   */
  ensureMultitenancyFolder(name?: string): Promise<FolderResult>;
  /** Creates `<Tenant name>` inside `parentId`; fails `KSC_TenantGroupAlreadyExists` if it exists. */
  createTenantFolder(tenantName: string, parentId: number): Promise<FolderResult>;
  /** `HostGroup.GetGroupId`: a folder's id by name, or `null`. */
  findFolder(name: string, parentId: number): Promise<number | null>;
  /**
   * Deletes a folder and waits for the action. By default only an empty one (a folder holding
   * anything fails `KSC_ActionFailed`); `withContents` also deletes subfolders, devices, policies, tasks.
   */
  deleteFolder(folderId: number, options?: { withContents?: boolean }): Promise<void>;
  /**
   * Registers a virtual Administration Server in `parentGroupId` (the tenant's folder: a folder
   * that holds no other virtual server of that name, so a lost answer can be cleared up by name).
   */
  createVirtualServer(displayName: string, parentGroupId: number): Promise<VirtualServerResult>;
  /** `VServers.GetVServers`: the virtual server of that display name directly in `parentGroupId`, or `null`. */
  findVirtualServer(displayName: string, parentGroupId: number): Promise<VirtualServerInfo | null>;
  /** `VServers.GetVServers`: every virtual server directly in `parentGroupId`. */
  listVirtualServers(parentGroupId: number): Promise<VirtualServerInfo[]>;
  /** `VServers.GetVServerInfo`, or `null` when there is no such virtual server. */
  getVirtualServer(virtualServerId: number): Promise<VirtualServerInfo | null>;
  deleteVirtualServer(virtualServerId: number): Promise<void>;
  /** Creates the account (on the main server) and gives it main-administrator rights on the vAS. */
  createTenantAdmin(input: TenantAdminInput): Promise<TenantAdminResult>;
  deleteAccount(accountId: number): Promise<void>;
  /**
   * `SecurityPolicy.GetUsers(-1, 0)`: the internal accounts of the main server with that name (any
   * case). After a crash, this is how an account whose creation answer was never recorded is found.
   */
  findAccounts(name: string): Promise<AccountInfo[]>;
  /** Runs one undo record; an object that no longer exists counts as undone. */
  undo(step: KscUndo): Promise<void>;
  /** Ends the session and closes the connection. */
  close(): Promise<void>;
}

export interface AdministrationServerOptions {
  /** Use this client instead of creating one from `settings`; `close()` closes it too. */
  client?: KscClient;
}

export function createAdministrationServer(settings: KscConnectionSettings, options: AdministrationServerOptions = {}): AdministrationServer {
  const client = options.client ?? createKscClient(settings);

  const managedDevicesFolderId = async (): Promise<number> => {
    const answer = await client.call('HostGroup.GroupIdGroups');
    return requireInteger(answer.PxgRetVal, 'the id of Managed devices', 'HostGroup.GroupIdGroups');
  };

  const findFolder = async (name: string, parentId: number): Promise<number | null> => {
    const answer = await client.call('HostGroup.GetGroupId', { nParent: parentId, strName: name });
    const id = requireInteger(answer.PxgRetVal, 'a group id', 'HostGroup.GetGroupId');
    return id === -1 ? null : id;
  };

  /**
   * When the answer to a create call is lost (connection dropped, timeout), the server may or may
   * not have done it. The object is then looked up by name, and if it is there its undo travels
   * with the error, so a lost answer leaves nothing behind that the caller does not know of.
   */
  const withLostAnswerRecovery = async <T>(create: () => Promise<T>, lookup: () => Promise<KscUndo | null>): Promise<T> => {
    try {
      return await create();
    } catch (error) {
      if (!isKscError(error, 'KSC_Unreachable') && !isKscError(error, 'KSC_Timeout')) throw error;
      const found = await lookup().catch(() => null);
      throw found === null ? error : error.withPendingUndo([found]);
    }
  };

  /** Only call for a folder name that is known to be free under `parentId` (AddGroup would adopt a taken one). */
  const addFolder = (name: string, parentId: number): Promise<FolderResult> =>
    withLostAnswerRecovery(
      async () => {
        const answer = await client.call('HostGroup.AddGroup', { pInfo: { name, parentId } });
        const id = requireInteger(answer.PxgRetVal, 'the new group id', 'HostGroup.AddGroup');
        return { id, name, parentId, created: true, undo: { kind: 'deleteFolder', folderId: id } };
      },
      async () => {
        const id = await findFolder(name, parentId);
        return id === null ? null : { kind: 'deleteFolder', folderId: id };
      },
    );

  const listVirtualServers = async (parentGroupId: number): Promise<VirtualServerInfo[]> => {
    const method = 'VServers.GetVServers';
    const answer = await client.call(method, { lParentGroup: parentGroupId });
    const items = Array.isArray(answer.PxgRetVal) ? answer.PxgRetVal : [];
    return items.map((item) => toVirtualServerInfo(unwrapParams(item), method));
  };

  const findVirtualServer = async (displayName: string, parentGroupId: number): Promise<VirtualServerInfo | null> =>
    (await listVirtualServers(parentGroupId)).find((vs) => vs.displayName === displayName) ?? null;

  const runAction = async (method: string, args: Record<string, unknown>): Promise<void> => {
    const answer = await client.call(method, args);
    const guid = answer.strActionGuid;
    if (typeof guid !== 'string' || guid === '') {
      throw new KscError('KSC_ProtocolError', `${method} answered without strActionGuid.`, { method });
    }
    await client.waitForAction(guid, method);
  };

  const deleteFolder = async (folderId: number, opts: { withContents?: boolean } = {}): Promise<void> => {
    await runAction('HostGroup.RemoveGroup', {
      nGroup: folderId,
      nFlags: opts.withContents ? REMOVE_WITH_CONTENTS : REMOVE_ONLY_IF_EMPTY,
    });
  };

  const deleteVirtualServer = async (virtualServerId: number): Promise<void> => {
    await runAction('VServers.DelVServer', { lVServer: virtualServerId });
  };

  const deleteAccount = async (accountId: number): Promise<void> => {
    await client.call('SecurityPolicy.DeleteUser', { lUserId: accountId });
  };

  const findAccounts = async (name: string): Promise<AccountInfo[]> => {
    const method = 'SecurityPolicy.GetUsers';
    const answer = await client.call(method, { lUserId: -1, lVsId: 0 });
    const items = Array.isArray(answer.PxgRetVal) ? answer.PxgRetVal : [];
    const wanted = name.toLocaleLowerCase('en-US');
    return items
      .map((item) => unwrapParams(item))
      .filter((user): user is KscParams => user !== undefined && typeof user.KLSPL_USER_NAME === 'string')
      .filter((user) => String(user.KLSPL_USER_NAME).toLocaleLowerCase('en-US') === wanted)
      .map((user) => ({
        id: requireInteger(user.KLSPL_USER_ID, 'KLSPL_USER_ID', method),
        name: String(user.KLSPL_USER_NAME),
        description: typeof user.KLSPL_USER_DESCRIPTION === 'string' ? user.KLSPL_USER_DESCRIPTION : '',
      }));
  };

  const getVirtualServer = async (virtualServerId: number): Promise<VirtualServerInfo | null> => {
    try {
      const answer = await client.call('VServers.GetVServerInfo', {
        lVServer: virtualServerId,
        pFields2Return: ['KLVSRV_ID', 'KLVSRV_UID', 'KLVSRV_DN', 'KLVSRV_GRP'],
      });
      return toVirtualServerInfo(unwrapParams(answer.PxgRetVal), 'VServers.GetVServerInfo');
    } catch (error) {
      if (isKscError(error, 'KSC_NotFound')) return null;
      throw error;
    }
  };

  const createTenantAdmin = async (input: TenantAdminInput): Promise<TenantAdminResult> => {
    const secrets = [input.password];
    // KLSPL_USER_PWD is limited to 16 characters and obsolete; the server encrypts the password itself.
    const protectedPassword = await client.call('DataProtectionApi.ProtectUtf16StringGlobally', { szwPlainText: input.password }, { secrets });
    if (protectedPassword.PxgRetVal === undefined) {
      throw new KscError('KSC_ProtocolError', 'DataProtectionApi.ProtectUtf16StringGlobally answered without the protected password.', {
        method: 'DataProtectionApi.ProtectUtf16StringGlobally',
      });
    }
    let added: KscResponse;
    try {
      added = await client.call(
        'SecurityPolicy.AddUser',
        {
          pUser: {
            KLSPL_USER_NAME: input.name,
            KLSPL_USER_FULL_NAME: input.fullName ?? input.name,
            KLSPL_USER_DESCRIPTION: input.description ?? '',
            KLSPL_USER_PWD_ENCRYPTED: protectedPassword.PxgRetVal,
            KLSPL_USER_ENABLED: true,
          },
        },
        { secrets },
      );
    } catch (error) {
      // KSC offers no lookup of an internal account by name, so a lost answer cannot be cleared
      // up here; say so, so that the administrator can check before the name is used again.
      if (isKscError(error, 'KSC_Unreachable') || isKscError(error, 'KSC_Timeout')) {
        throw new KscError(
          error.code,
          `${error.message} The account "${input.name}" may have been created on the Administration Server; check and delete it there before retrying.`,
          { method: error.method, requestId: error.requestId, cause: error },
        );
      }
      throw error;
    }
    const accountId = requireInteger(added.PxgRetVal, 'the new user id', 'SecurityPolicy.AddUser');
    try {
      await grantMainAdministrator(input.virtualServerId, accountId);
    } catch (error) {
      // All or nothing: an account without its rights is taken back here, not left to the caller.
      try {
        await deleteAccount(accountId);
      } catch {
        if (error instanceof KscError) throw error.withPendingUndo([{ kind: 'deleteAccount', accountId }]);
      }
      throw error;
    }
    return { accountId, name: input.name, virtualServerId: input.virtualServerId, undo: { kind: 'deleteAccount', accountId } };
  };

  /**
   * Adds one entry to the vAS's ACL, keeping the others. The allow mask is the server's own
   * `KLSPL_POSSIBLE_RIGHTS` (every right that can be granted on it): that is what the console
   * grants as "main administrator", without us hard-coding KSC's bit values.
   */
  const grantMainAdministrator = async (virtualServerId: number, accountId: number): Promise<void> => {
    const current = await client.call('VServers.GetPermissions', { lVServer: virtualServerId });
    const acl = unwrapParams(current.PxgRetVal) ?? {};
    const possibleRights = kscInteger(acl.KLSPL_POSSIBLE_RIGHTS);
    if (possibleRights === undefined) {
      throw new KscError('KSC_ProtocolError', 'VServers.GetPermissions answered without KLSPL_POSSIBLE_RIGHTS.', {
        method: 'VServers.GetPermissions',
      });
    }
    const entries = Array.isArray(acl.KLSPL_PERMISSIONS) ? acl.KLSPL_PERMISSIONS : [];
    const permissions: KscParams = {
      ...acl,
      KLSPL_PERMISSIONS: [
        ...entries,
        kscParamsItem({
          KLSPLU_AKUSER_ID: accountId,
          KLSPLU_ALLOWMASK: possibleRights,
          KLSPLU_DENYMASK: 0,
          KLSPLU_MAY_WRITE: true,
          KLSPLU_MAY_REMOVE: true,
        }),
      ],
    };
    await client.call('VServers.SetPermissions', { lVServer: virtualServerId, pPermissions: permissions, bProtection: true });
  };

  const undo = async (step: KscUndo): Promise<void> => {
    try {
      switch (step.kind) {
        case 'deleteFolder':
          await deleteFolder(step.folderId);
          return;
        case 'deleteVirtualServer':
          await deleteVirtualServer(step.virtualServerId);
          return;
        case 'deleteAccount':
          await deleteAccount(step.accountId);
          return;
        case 'none':
          return;
      }
    } catch (error) {
      if (isKscError(error, 'KSC_NotFound')) return;
      throw error;
    }
  };

  const test = async (testOptions: KscTestOptions = {}): Promise<KscTestReport> => {
    const checks: KscCheck[] = [];
    // Without a connection, the right certificate, a session and the root folder nothing else can be
    // checked; the rights after that are independent of each other.
    const gates = new Set<KscCheckName>(['connection', 'certificate', 'credentials', 'read-groups']);
    let blocked = false;
    const record = (name: KscCheckName, ok: boolean, message: string): void => {
      checks.push({ name, ok, skipped: false, message });
      if (!ok && gates.has(name)) blocked = true;
    };
    const skip = (name: KscCheckName, message: string): void => {
      checks.push({ name, ok: false, skipped: true, message });
    };
    const attempt = async (name: KscCheckName, okMessage: string, missingLead: string, run: () => Promise<void>): Promise<void> => {
      if (blocked) {
        skip(name, 'Not checked: an earlier check failed.');
        return;
      }
      try {
        await run();
        record(name, true, okMessage);
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        record(name, false, isKscError(error, 'KSC_AccessDenied') ? `${missingLead} ${text}` : text);
      }
    };

    let presentedFingerprint: string | undefined;
    const port = settings.port ?? DEFAULT_KSC_PORT;
    try {
      presentedFingerprint = (await probeFingerprint(settings.address, port, { timeoutMs: settings.requestTimeoutMs })).fingerprint;
      record('connection', true, `The Administration Server at ${settings.address}:${port} answers over TLS.`);
    } catch (error) {
      record('connection', false, error instanceof Error ? error.message : String(error));
    }
    if (presentedFingerprint === undefined) {
      skip('certificate', 'Not checked: the server could not be reached.');
    } else {
      let pinned: string | undefined;
      try {
        pinned = normalizeFingerprint(settings.pinnedFingerprint);
      } catch (error) {
        record('certificate', false, error instanceof Error ? error.message : String(error));
      }
      if (pinned !== undefined) {
        record(
          'certificate',
          pinned === presentedFingerprint,
          pinned === presentedFingerprint
            ? 'The server certificate matches the pinned SHA-256 fingerprint.'
            : `The server certificate changed: it presents SHA-256 ${presentedFingerprint}, the pinned one is ${pinned}.`,
        );
      }
    }
    await attempt('credentials', `Logged in as "${settings.user}".`, '', () => client.login());

    let root = 0;
    await attempt('read-groups', 'Can read administration groups.', 'The account needs read access to administration groups.', async () => {
      root = await managedDevicesFolderId();
    });
    await attempt(
      'read-virtual-servers',
      'Can read virtual Administration Servers.',
      'The account needs rights on virtual Administration Servers (create, delete, set permissions).',
      async () => {
        await listVirtualServers(root);
      },
    );

    if (testOptions.writeProbes === false) {
      skip('manage-groups', 'Not checked: write probes are turned off.');
      skip('manage-accounts', 'Not checked: write probes are turned off.');
    } else {
      const probe = `Lightkeeper connection test ${randomBytes(4).toString('hex')}`;
      await attempt('manage-groups', 'Can create and delete administration groups.', 'The account needs the right to manage administration groups.', async () => {
        const folder = await addFolder(probe, root);
        await deleteFolder(folder.id);
      });
      await attempt('manage-accounts', 'Can create and delete internal accounts.', 'The account needs the right to manage internal user accounts.', async () => {
        const password = `${randomBytes(12).toString('base64url')}aA1!`;
        const protectedPassword = await client.call('DataProtectionApi.ProtectUtf16StringGlobally', { szwPlainText: password }, { secrets: [password] });
        const added = await client.call(
          'SecurityPolicy.AddUser',
          {
            pUser: {
              KLSPL_USER_NAME: `lightkeeper-probe-${randomBytes(4).toString('hex')}`,
              KLSPL_USER_FULL_NAME: probe,
              KLSPL_USER_DESCRIPTION: 'Created and deleted at once by the Lightkeeper connection test.',
              KLSPL_USER_PWD_ENCRYPTED: protectedPassword.PxgRetVal,
              KLSPL_USER_ENABLED: false,
            },
          },
          { secrets: [password] },
        );
        await deleteAccount(requireInteger(added.PxgRetVal, 'the new user id', 'SecurityPolicy.AddUser'));
      });
    }

    const missing = checks.filter((c) => !c.ok && !c.skipped).map((c) => c.message);
    return { ok: missing.length === 0 && checks.every((c) => c.ok || c.skipped), presentedFingerprint, checks, missing };
  };

  return {
    test,
    managedDevicesFolderId,
    ensureMultitenancyFolder: async (name = MULTITENANCY_FOLDER_NAME) => {
      const root = await managedDevicesFolderId();
      const existing = await findFolder(name, root);
      if (existing !== null) return { id: existing, name, parentId: root, created: false, undo: { kind: 'none' } };
      return addFolder(name, root);
    },
    createTenantFolder: async (tenantName, parentId) => {
      if ((await findFolder(tenantName, parentId)) !== null) {
        throw new KscError('KSC_TenantGroupAlreadyExists', `The folder "${tenantName}" already exists in the tenants' folder on the Administration Server.`, {
          method: 'HostGroup.GetGroupId',
        });
      }
      return addFolder(tenantName, parentId);
    },
    findFolder,
    deleteFolder,
    createVirtualServer: (displayName, parentGroupId) =>
      withLostAnswerRecovery<VirtualServerResult>(
        async () => {
          const method = 'VServers.AddVServerInfo';
          const answer = await client.call(method, { strDisplayName: displayName, lParentGroup: parentGroupId });
          const info = unwrapParams(answer.PxgRetVal);
          const id = requireInteger(info?.KLVSRV_ID, 'KLVSRV_ID', method);
          return {
            id,
            displayName: isRecord(info) && typeof info.KLVSRV_DN === 'string' ? info.KLVSRV_DN : displayName,
            parentGroupId,
            undo: { kind: 'deleteVirtualServer', virtualServerId: id },
          };
        },
        async () => {
          const found = await findVirtualServer(displayName, parentGroupId);
          return found === null ? null : { kind: 'deleteVirtualServer', virtualServerId: found.id };
        },
      ),
    getVirtualServer,
    findVirtualServer,
    listVirtualServers,
    findAccounts,
    deleteVirtualServer,
    createTenantAdmin,
    deleteAccount,
    undo,
    close: () => client.close(),
  };
}

function toVirtualServerInfo(info: KscParams | undefined, method: string): VirtualServerInfo {
  return {
    id: requireInteger(info?.KLVSRV_ID, 'KLVSRV_ID', method),
    uid: typeof info?.KLVSRV_UID === 'string' ? info.KLVSRV_UID : '',
    displayName: typeof info?.KLVSRV_DN === 'string' ? info.KLVSRV_DN : '',
    parentGroupId: requireInteger(info?.KLVSRV_GRP, 'KLVSRV_GRP', method),
  };
}
