/**
 * The Administration Server simulator's model: administration groups, virtual Administration
 * Servers with their ACLs, internal accounts, and the KSC OpenAPI methods the tenant connector
 * calls, with the rules a real server enforces (ksc-openapi.md §3):
 *
 * - at most `maxVirtualServers` (500) virtual servers;
 * - internal account names unique across the main and all virtual servers (case-insensitive);
 * - `HostGroup.AddGroup` returns the existing group when the name is taken under that parent;
 * - `VServers.AddVServerInfo` makes a taken display name unique by adding a suffix;
 * - deleting a virtual server deletes its groups and accounts; deleting an account removes its ACEs.
 *
 * Numeric error codes are the simulator's own (KSC does not publish them per situation); the
 * messages are plain English like KSC's "not localized" `message`, and that is what clients read.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';

export const KSC_SIM_RIGHTS = ['groups', 'vservers', 'users'] as const;
export type KscSimRight = (typeof KSC_SIM_RIGHTS)[number];

/** What the simulator answers as `KLSPL_POSSIBLE_RIGHTS`; an ACE allowing all of it is a main administrator. */
export const SIM_POSSIBLE_RIGHTS = 0x7f;

export interface PxgErrorBody {
  code: number;
  subcode: number;
  module: string;
  file: string;
  line: number;
  message: string;
  locdata: { 'format-id': number; format: string; locmodule: string; args: string[] };
}

export class SimPxgError extends Error {
  readonly body: PxgErrorBody;
  readonly httpStatus: number;
  constructor(code: number, module: string, message: string, httpStatus = 500) {
    super(message);
    this.httpStatus = httpStatus;
    this.body = {
      code,
      subcode: 0,
      module,
      file: 'ksc-simulator',
      line: 0,
      message,
      locdata: { 'format-id': code, format: message, locmodule: module, args: [] },
    };
  }
}

export const SIM_ERRORS = {
  notFound: (what: string) => new SimPxgError(1183, 'KLSTD', `${what} not found`),
  accessDenied: (what: string) => new SimPxgError(1136, 'KLSTD', `Access denied: ${what}`),
  invalidArgument: (what: string) => new SimPxgError(1168, 'KLSTD', `Invalid argument: ${what}`),
  accountExists: (name: string) => new SimPxgError(1180, 'KLSPL', `An account named "${name}" already exists on this or another Administration Server; account names must be unique`),
  vServerLimit: (max: number) =>
    new SimPxgError(1190, 'KLVSRV', `The maximum number of virtual Administration Servers (${max}) has been reached`),
  methodNotFound: (method: string) => new SimPxgError(1184, 'KLSTD', `Method ${method} not found`, 404),
} as const;

export interface SimGroup {
  id: number;
  name: string;
  parentId: number | null;
  /** 0 for the main server, else the virtual server the group belongs to. */
  vServerId: number;
  /** Managed devices / Primary server / Unassigned devices of a server: never deleted by RemoveGroup. */
  system: boolean;
}

export interface SimAce {
  accountId: number;
  allowMask: number;
  denyMask: number;
}

export interface SimVServer {
  id: number;
  uid: string;
  displayName: string;
  parentGroupId: number;
  groupsId: number;
  superId: number;
  unassignedId: number;
  enabled: boolean;
  created: string;
  acl: SimAce[];
}

export interface SimAccount {
  id: number;
  name: string;
  fullName: string;
  description: string;
  vServerId: number;
  enabled: boolean;
  /** Rights on the main server; accounts added through the API get none. */
  rights: KscSimRight[];
  salt: Buffer;
  hash: Buffer;
}

/** Everything a test compares before and after: no ids of sessions or actions, no secrets. */
export interface KscSimSnapshot {
  groups: Array<{ id: number; name: string; parentId: number | null; vServerId: number }>;
  virtualServers: Array<{
    id: number;
    uid: string;
    displayName: string;
    parentGroupId: number;
    enabled: boolean;
    permissions: SimAce[];
  }>;
  accounts: Array<{ id: number; name: string; fullName: string; description: string; vServerId: number; enabled: boolean }>;
}

/** Who is calling: fixed at session start. */
export interface SimPrincipal {
  accountId: number;
  vServerId: number;
  rights: ReadonlySet<KscSimRight>;
}

/** A deferred effect of an asynchronous call: runs when the action finishes. */
export type SimActionEffect = () => void;

export type SimResult = { kind: 'value'; body: Record<string, unknown> } | { kind: 'action'; effect: SimActionEffect };

export interface KscSimStateOptions {
  maxVirtualServers: number;
  accounts: Array<{ name: string; password: string; rights: readonly KscSimRight[] }>;
}

const lower = (s: string): string => s.toLocaleLowerCase('en-US');
const hashPassword = (password: string, salt: Buffer): Buffer => scryptSync(password, salt, 32, { N: 1024 });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const unwrapParams = (v: unknown): Record<string, unknown> | undefined =>
  isRecord(v) ? (v.type === 'params' && isRecord(v.value) ? v.value : v) : undefined;

function intArg(args: Record<string, unknown>, name: string): number {
  const raw = args[name];
  const value = isRecord(raw) && raw.type === 'long' ? Number(raw.value) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw SIM_ERRORS.invalidArgument(`${name} must be an integer`);
  return value;
}

function stringArg(args: Record<string, unknown>, name: string, max = 256): string {
  const value = args[name];
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw SIM_ERRORS.invalidArgument(`${name} must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

export function createKscSimState(options: KscSimStateOptions) {
  const groups = new Map<number, SimGroup>();
  const vServers = new Map<number, SimVServer>();
  const accounts = new Map<number, SimAccount>();
  const protectKey = randomBytes(32);
  let nextGroupId = 0;
  let nextVServerId = 1;
  let nextAccountId = 1;

  const addSystemGroups = (vServerId: number): { groupsId: number; superId: number; unassignedId: number } => {
    const make = (name: string): number => {
      const id = nextGroupId++;
      groups.set(id, { id, name, parentId: null, vServerId, system: true });
      return id;
    };
    return { groupsId: make('Managed devices'), superId: make('Primary server'), unassignedId: make('Unassigned devices') };
  };
  const mainGroups = addSystemGroups(0);

  const addAccount = (fields: Omit<SimAccount, 'id' | 'salt' | 'hash'>, password: string): SimAccount => {
    if ([...accounts.values()].some((a) => lower(a.name) === lower(fields.name))) throw SIM_ERRORS.accountExists(fields.name);
    const salt = randomBytes(16);
    const account: SimAccount = { ...fields, id: nextAccountId++, salt, hash: hashPassword(password, salt) };
    accounts.set(account.id, account);
    return account;
  };
  for (const seed of options.accounts) {
    addAccount({ name: seed.name, fullName: seed.name, description: '', vServerId: 0, enabled: true, rights: [...seed.rights] }, seed.password);
  }

  const rootOf = (vServerId: number): number => (vServerId === 0 ? mainGroups.groupsId : vServers.get(vServerId)!.groupsId);

  const groupInScope = (id: number, who: SimPrincipal): SimGroup => {
    const group = groups.get(id);
    if (!group || group.vServerId !== who.vServerId) throw SIM_ERRORS.notFound(`Group ${id}`);
    return group;
  };

  const need = (who: SimPrincipal, right: KscSimRight, what: string): void => {
    if (!who.rights.has(right)) throw SIM_ERRORS.accessDenied(what);
  };
  const mainOnly = (who: SimPrincipal, what: string): void => {
    if (who.vServerId !== 0) throw SIM_ERRORS.accessDenied(`${what} is available on the main Administration Server only`);
  };

  const vServerById = (id: number): SimVServer => {
    const vs = vServers.get(id);
    if (!vs) throw SIM_ERRORS.notFound(`Virtual server ${id}`);
    return vs;
  };

  const vServerParams = (vs: SimVServer): Record<string, unknown> => ({
    KLVSRV_ID: vs.id,
    KLVSRV_UID: vs.uid,
    KLVSRV_DN: vs.displayName,
    KLVSRV_GRP: vs.parentGroupId,
    KLVSRV_GROUPS: vs.groupsId,
    KLVSRV_SUPER: vs.superId,
    KLVSRV_UNASSIGNED: vs.unassignedId,
    KLVSRV_ENABLED: vs.enabled,
    KLVSRV_LIC_ENABLED: false,
    KLVSRV_CREATED: { type: 'datetime', value: vs.created },
  });

  const subtree = (id: number): number[] => {
    const out = [id];
    for (const g of groups.values()) if (g.parentId === id) out.push(...subtree(g.id));
    return out;
  };

  const decryptProtected = (value: unknown): string => {
    if (!isRecord(value) || value.type !== 'binary' || typeof value.value !== 'string') {
      throw SIM_ERRORS.invalidArgument('KLSPL_USER_PWD_ENCRYPTED must be a binary value');
    }
    const blob = Buffer.from(value.value, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', protectKey, blob.subarray(0, 12));
      decipher.setAuthTag(blob.subarray(12, 28));
      return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf16le');
    } catch {
      throw SIM_ERRORS.invalidArgument('KLSPL_USER_PWD_ENCRYPTED was not protected by this Administration Server');
    }
  };

  const methods: Record<string, (args: Record<string, unknown>, who: SimPrincipal) => SimResult> = {
    'HostGroup.GroupIdGroups': (_args, who) => value(rootOf(who.vServerId)),
    'HostGroup.GetGroupId': (args, who) => {
      const parent = groupInScope(intArg(args, 'nParent'), who);
      const name = stringArg(args, 'strName');
      const found = [...groups.values()].find((g) => g.parentId === parent.id && lower(g.name) === lower(name));
      return value(found ? found.id : -1);
    },
    'HostGroup.AddGroup': (args, who) => {
      need(who, 'groups', 'managing administration groups');
      const info = unwrapParams(args.pInfo);
      if (!info) throw SIM_ERRORS.invalidArgument('pInfo must be params');
      const name = stringArg(info, 'name');
      if (/[\\/:*?"<>|]/.test(name)) throw SIM_ERRORS.invalidArgument(`group name "${name}" contains a character that is not allowed`);
      const parent = groupInScope(intArg(info, 'parentId'), who);
      const existing = [...groups.values()].find((g) => g.parentId === parent.id && lower(g.name) === lower(name));
      if (existing) return value(existing.id);
      const id = nextGroupId++;
      groups.set(id, { id, name, parentId: parent.id, vServerId: who.vServerId, system: false });
      return value(id);
    },
    'HostGroup.RemoveGroup': (args, who) => {
      need(who, 'groups', 'managing administration groups');
      const group = groupInScope(intArg(args, 'nGroup'), who);
      const flags = args.nFlags === undefined ? 1 : intArg(args, 'nFlags');
      if (![1, 2, 3].includes(flags)) throw SIM_ERRORS.invalidArgument('nFlags must be 1, 2 or 3');
      if (group.system) throw SIM_ERRORS.accessDenied(`group ${group.id} is a predefined group`);
      return {
        kind: 'action',
        effect: () => {
          if (!groups.has(group.id)) throw SIM_ERRORS.notFound(`Group ${group.id}`);
          const ids = subtree(group.id);
          const holdsServers = [...vServers.values()].some((vs) => ids.includes(vs.parentGroupId));
          if (flags === 1 && ids.length > 1) throw new SimPxgError(1201, 'KLSRV', `Group "${group.name}" is not empty: it contains subgroups`);
          if (holdsServers) throw new SimPxgError(1202, 'KLSRV', `Group "${group.name}" is not empty: it contains virtual Administration Servers`);
          for (const id of ids) groups.delete(id);
        },
      };
    },
    'VServers.AddVServerInfo': (args, who) => {
      mainOnly(who, 'VServers');
      need(who, 'vservers', 'managing virtual Administration Servers');
      const requested = stringArg(args, 'strDisplayName');
      const parent = groupInScope(intArg(args, 'lParentGroup'), who);
      if (vServers.size >= options.maxVirtualServers) throw SIM_ERRORS.vServerLimit(options.maxVirtualServers);
      const taken = new Set([...vServers.values()].map((vs) => lower(vs.displayName)));
      let displayName = requested;
      for (let n = 2; taken.has(lower(displayName)); n += 1) displayName = `${requested} (${n})`;
      const id = nextVServerId++;
      const vs: SimVServer = {
        id,
        uid: `vs-${randomUUID()}`,
        displayName,
        parentGroupId: parent.id,
        ...addSystemGroups(id),
        enabled: true,
        created: new Date().toISOString(),
        acl: [],
      };
      vServers.set(id, vs);
      return value({ KLVSRV_ID: id, KLVSRV_DN: displayName });
    },
    'VServers.GetVServers': (args, who) => {
      mainOnly(who, 'VServers');
      need(who, 'vservers', 'reading virtual Administration Servers');
      const parent = groupInScope(intArg(args, 'lParentGroup'), who);
      const list = [...vServers.values()].filter((vs) => vs.parentGroupId === parent.id);
      return value(list.map((vs) => ({ type: 'params', value: vServerParams(vs) })));
    },
    'VServers.GetVServerInfo': (args, who) => {
      mainOnly(who, 'VServers');
      need(who, 'vservers', 'reading virtual Administration Servers');
      const all = vServerParams(vServerById(intArg(args, 'lVServer')));
      const fields = Array.isArray(args.pFields2Return) ? args.pFields2Return.filter((f): f is string => typeof f === 'string') : [];
      return value(fields.length === 0 ? all : Object.fromEntries(fields.filter((f) => f in all).map((f) => [f, all[f]])));
    },
    'VServers.DelVServer': (args, who) => {
      mainOnly(who, 'VServers');
      need(who, 'vservers', 'managing virtual Administration Servers');
      const vs = vServerById(intArg(args, 'lVServer'));
      return {
        kind: 'action',
        effect: () => {
          if (!vServers.has(vs.id)) throw SIM_ERRORS.notFound(`Virtual server ${vs.id}`);
          vServers.delete(vs.id);
          for (const g of [...groups.values()]) if (g.vServerId === vs.id) groups.delete(g.id);
          for (const a of [...accounts.values()]) if (a.vServerId === vs.id) deleteAccount(a.id);
        },
      };
    },
    'VServers.GetPermissions': (args, who) => {
      mainOnly(who, 'VServers');
      need(who, 'vservers', 'reading virtual Administration Servers');
      const vs = vServerById(intArg(args, 'lVServer'));
      return value({
        KLSPL_INHERITED: false,
        KLSPL_POSSIBLE_RIGHTS: SIM_POSSIBLE_RIGHTS,
        KLSPL_PERMISSIONS: vs.acl.map((ace) => ({
          type: 'params',
          value: {
            KLSPLU_AKUSER_ID: ace.accountId,
            KLSPLU_NAME: accounts.get(ace.accountId)?.name ?? '',
            KLSPLU_IS_GROUP: false,
            KLSPLU_MAY_WRITE: true,
            KLSPLU_MAY_REMOVE: true,
            KLSPLU_ALLOWMASK: ace.allowMask,
            KLSPLU_DENYMASK: ace.denyMask,
          },
        })),
      });
    },
    'VServers.SetPermissions': (args, who) => {
      mainOnly(who, 'VServers');
      need(who, 'vservers', 'managing virtual Administration Servers');
      const vs = vServerById(intArg(args, 'lVServer'));
      const permissions = unwrapParams(args.pPermissions);
      if (!permissions || !Array.isArray(permissions.KLSPL_PERMISSIONS)) {
        throw SIM_ERRORS.invalidArgument('pPermissions must hold KLSPL_PERMISSIONS');
      }
      const acl: SimAce[] = permissions.KLSPL_PERMISSIONS.map((item) => {
        const entry = unwrapParams(item);
        if (!entry) throw SIM_ERRORS.invalidArgument('every KLSPL_PERMISSIONS entry must be params');
        const accountId = intArg(entry, 'KLSPLU_AKUSER_ID');
        if (!accounts.has(accountId)) throw SIM_ERRORS.notFound(`User ${accountId}`);
        const deny = entry.KLSPLU_DENYMASK === undefined ? 0 : intArg(entry, 'KLSPLU_DENYMASK');
        return { accountId, allowMask: intArg(entry, 'KLSPLU_ALLOWMASK'), denyMask: deny };
      });
      vs.acl = acl;
      return value(undefined);
    },
    'DataProtectionApi.ProtectUtf16StringGlobally': (args) => {
      const plain = args.szwPlainText;
      if (typeof plain !== 'string') throw SIM_ERRORS.invalidArgument('szwPlainText must be a string');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', protectKey, iv);
      const body = Buffer.concat([cipher.update(Buffer.from(plain, 'utf16le')), cipher.final()]);
      return value({ type: 'binary', value: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64') });
    },
    'SecurityPolicy.AddUser': (args, who) => {
      need(who, 'users', 'managing internal user accounts');
      const user = unwrapParams(args.pUser);
      if (!user) throw SIM_ERRORS.invalidArgument('pUser must be params');
      const name = stringArg(user, 'KLSPL_USER_NAME');
      let password: string;
      if (user.KLSPL_USER_PWD_ENCRYPTED !== undefined) password = decryptProtected(user.KLSPL_USER_PWD_ENCRYPTED);
      else if (typeof user.KLSPL_USER_PWD === 'string' && user.KLSPL_USER_PWD.length <= 16) password = user.KLSPL_USER_PWD;
      else throw SIM_ERRORS.invalidArgument('a password (KLSPL_USER_PWD_ENCRYPTED, or KLSPL_USER_PWD of at most 16 characters) is required');
      if (password.length === 0) throw SIM_ERRORS.invalidArgument('the password must not be empty');
      const text = (key: string, max: number): string => {
        const v = user[key];
        if (v === undefined) return '';
        if (typeof v !== 'string' || v.length > max) throw SIM_ERRORS.invalidArgument(`${key} must be a string of at most ${max} characters`);
        return v;
      };
      const account = addAccount(
        {
          name,
          fullName: text('KLSPL_USER_FULL_NAME', 512),
          description: text('KLSPL_USER_DESCRIPTION', 1024),
          vServerId: who.vServerId,
          enabled: user.KLSPL_USER_ENABLED !== false,
          rights: [],
        },
        password,
      );
      return value(account.id);
    },
    'SecurityPolicy.DeleteUser': (args, who) => {
      need(who, 'users', 'managing internal user accounts');
      const id = intArg(args, 'lUserId');
      const account = accounts.get(id);
      if (!account || account.vServerId !== who.vServerId) throw SIM_ERRORS.notFound(`User ${id}`);
      if (id === who.accountId) throw SIM_ERRORS.accessDenied('an account cannot delete itself');
      deleteAccount(id);
      return value(undefined);
    },
    'SecurityPolicy.GetUsers': (args, who) => {
      need(who, 'users', 'reading internal user accounts');
      const userId = intArg(args, 'lUserId');
      const vsId = intArg(args, 'lVsId');
      // As documented: a virtual server's session sees its own accounts; the main server's sees
      // main-server accounts plus those of lVsId (-1: all virtual servers, 0: none).
      const visible = [...accounts.values()].filter((a) =>
        who.vServerId !== 0 ? a.vServerId === who.vServerId : a.vServerId === 0 || vsId === -1 || a.vServerId === vsId,
      );
      const chosen = userId === -1 ? visible : visible.filter((a) => a.id === userId);
      return value(
        chosen.map((a) => ({
          type: 'params',
          value: {
            KLSPL_USER_ID: a.id,
            KLSPL_USER_NAME: a.name,
            KLSPL_USER_FULL_NAME: a.fullName,
            KLSPL_USER_DESCRIPTION: a.description,
            KLSPL_USER_ENABLED: a.enabled,
            KLSPL_USER_VSERVER: a.vServerId,
          },
        })),
      );
    },
    'SecurityPolicy.GetCurrentUserId': (_args, who) => ({ kind: 'value', body: { PxgRetVal: true, lUserId: who.accountId } }),
  };

  function deleteAccount(id: number): void {
    accounts.delete(id);
    for (const vs of vServers.values()) vs.acl = vs.acl.filter((ace) => ace.accountId !== id);
  }

  return {
    /** One KSC OpenAPI call (the server itself answers `Session.*` and `AsyncActionStateChecker.*`). */
    call(method: string, args: Record<string, unknown>, who: SimPrincipal): SimResult {
      const handler = methods[method];
      if (!handler) throw SIM_ERRORS.methodNotFound(method);
      return handler(args, who);
    },

    /** Checks credentials for a session on the main server (`vServerUid` empty) or a virtual one. */
    authenticate(name: string, password: string, vServerUid: string): SimPrincipal | null {
      const account = [...accounts.values()].find((a) => lower(a.name) === lower(name));
      if (!account || !account.enabled) return null;
      const candidate = hashPassword(password, account.salt);
      if (!timingSafeEqual(candidate, account.hash)) return null;
      if (vServerUid === '') {
        return account.vServerId === 0 ? { accountId: account.id, vServerId: 0, rights: new Set(account.rights) } : null;
      }
      const vs = [...vServers.values()].find((v) => v.uid === vServerUid);
      if (!vs || (account.vServerId !== 0 && account.vServerId !== vs.id)) return null;
      const ace = vs.acl.find((a) => a.accountId === account.id);
      // A main-server account reaches a virtual server through an ACE on it, or by managing all of them.
      const managesAll = account.vServerId === 0 && account.rights.includes('vservers');
      if (account.vServerId === 0 && ace === undefined && !managesAll) return null;
      const isAdministrator =
        managesAll || (ace !== undefined && (ace.allowMask & SIM_POSSIBLE_RIGHTS) === SIM_POSSIBLE_RIGHTS && ace.denyMask === 0);
      return { accountId: account.id, vServerId: vs.id, rights: new Set(isAdministrator ? KSC_SIM_RIGHTS : []) };
    },

    snapshot(): KscSimSnapshot {
      const byId = <T extends { id: number }>(a: T, b: T): number => a.id - b.id;
      return {
        groups: [...groups.values()].sort(byId).map(({ id, name, parentId, vServerId }) => ({ id, name, parentId, vServerId })),
        virtualServers: [...vServers.values()].sort(byId).map((vs) => ({
          id: vs.id,
          uid: vs.uid,
          displayName: vs.displayName,
          parentGroupId: vs.parentGroupId,
          enabled: vs.enabled,
          permissions: vs.acl.map((ace) => ({ ...ace })),
        })),
        accounts: [...accounts.values()].sort(byId).map(({ id, name, fullName, description, vServerId, enabled }) => ({
          id,
          name,
          fullName,
          description,
          vServerId,
          enabled,
        })),
      };
    },
  };
}

export type KscSimState = ReturnType<typeof createKscSimState>;

function value(retVal: unknown): SimResult {
  return { kind: 'value', body: retVal === undefined ? {} : { PxgRetVal: retVal } };
}
