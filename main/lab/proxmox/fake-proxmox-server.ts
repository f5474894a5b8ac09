/**
 * A fake Proxmox VE API node (proxmox-api.md, checklist §7) on a real HTTPS port: exact content
 * type and `Server` header, messages in the status line, empty-body auth 401s, ticket + CSRF and
 * `PVEAPIToken=` auth, string `nextid`, UPID tasks for every mutation, multipart upload with the
 * extension rules and checksum check. Volumes are real files under `dir`, so tests can prove that
 * nothing is left. No real Proxmox can run here (lab.md §8).
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { formatUpid } from '../../connectors/proxmox/upid.ts';
import { receiveUpload } from './fake-multipart.ts';
import type { FakeProxmoxState, FakeTask, FakeVm, FaultPoint } from './fake-state.ts';

export type FakeProxmoxOptions = {
  dir: string;
  node?: string;
  users?: Record<string, string>;
  /** `USER@REALM!TOKENID` → secret. */
  tokens?: Record<string, string>;
  /** How long a task runs before it ends (ms). */
  taskMs?: number;
  /** Delay of a failed login, 3 s on a real node; 0 in tests. */
  authDelayMs?: number;
  guestAddress?: (vm: FakeVm) => string | null;
  /** Bytes each storage offers. */
  capacity?: number;
};

export type FakeProxmox = {
  url: string;
  port: number;
  fingerprint: string;
  state: FakeProxmoxState;
  fail(point: FaultPoint, message: string): void;
  /** Every volume file on every storage, `storage:relative/path`. */
  volumes(): string[];
  /** A new certificate (a "reinstalled" node): pinned clients must refuse it. */
  replaceCertificate(): Promise<string>;
  stop(): Promise<void>;
};

class ApiError extends Error {
  readonly status: number;
  readonly errors: Record<string, string> | undefined;
  constructor(status: number, message: string, errors?: Record<string, string>) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

const VOLUME_NAME = /^[a-zA-Z0-9\-.+=_]+$/;
const IMPORT_EXT = /\.(qcow2|raw|vmdk|ova)$/;

async function certificate() {
  const pems = await generate([{ name: 'commonName', value: 'pve.lab' }, { shortName: 'O', value: 'Proxmox Virtual Environment' }, { shortName: 'OU', value: 'PVE Cluster Node' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7 as const, ip: '127.0.0.1' }, { type: 2 as const, value: 'localhost' }] }],
  });
  return { key: pems.private, cert: pems.cert, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}

export async function startFakeProxmox(options: FakeProxmoxOptions): Promise<FakeProxmox> {
  const node = options.node ?? 'pve';
  const users = options.users ?? {};
  const tokens = options.tokens ?? {};
  const taskMs = options.taskMs ?? 20;
  const capacity = options.capacity ?? 64 * 2 ** 30;
  const secret = randomBytes(32);
  const state: FakeProxmoxState = {
    node,
    vms: new Map(),
    tasks: new Map(),
    storages: [
      { storage: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup', 'import'], total: capacity },
      { storage: 'local-lvm', type: 'lvmthin', content: ['images', 'rootdir'], total: capacity },
    ],
    faults: new Map(),
    guestAddress: options.guestAddress ?? (() => null),
  };
  const storageDir = (s: string) => join(options.dir, s);
  for (const s of state.storages) mkdirSync(join(storageDir(s.storage), s.type === 'dir' ? 'import' : ''), { recursive: true });
  mkdirSync(join(options.dir, 'tmp'), { recursive: true });
  let pid = 0x19b2c4;

  const volumePath = (volid: string) => {
    const [storage, rel] = volid.split(':');
    if (!storage || !rel || rel.includes('..')) throw new ApiError(400, `invalid volume id '${volid}'`);
    return join(storageDir(storage), rel);
  };
  const used = (storage: string) => {
    const dir = storageDir(storage);
    const walk = (d: string): number => readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? walk(join(d, e.name)) : statSync(join(d, e.name)).size), 0);
    return existsSync(dir) ? walk(dir) : 0;
  };

  /** Runs `work` as a UPID task after taskMs; a fault set for `point` makes it fail instead. */
  function task(type: string, id: string, user: string, point: FaultPoint | null, work: (log: (line: string) => void) => void, onFault?: () => void): string {
    const starttime = Math.floor(Date.now() / 1000);
    const upid = formatUpid({ node, pid: ++pid, pstart: 0x2f1a3e5, starttime, type, id, user });
    const t: FakeTask = { upid, type, id, user, status: 'running', log: [], starttime };
    state.tasks.set(upid, t);
    setTimeout(() => {
      try {
        const fault = point ? state.faults.get(point) : undefined;
        if (fault !== undefined) {
          state.faults.delete(point!);
          // A failed task leaves what the real node leaves: a failed qmcreate, for one, no VM.
          onFault?.();
          throw new Error(fault);
        }
        work((line) => t.log.push(line));
        t.log.push('TASK OK');
        t.exitstatus = 'OK';
      } catch (e) {
        const msg = (e as Error).message;
        t.log.push(`TASK ERROR: ${msg}`);
        t.exitstatus = msg;
      }
      t.status = 'stopped';
    }, taskMs);
    return upid;
  }

  // --- auth ----------------------------------------------------------------------------------------

  const sign = (text: string) => createHmac('sha256', secret).update(text).digest('base64').replace(/=+$/, '');
  const makeTicket = (user: string) => {
    const ts = Math.floor(Date.now() / 1000).toString(16).toUpperCase().padStart(8, '0');
    return { ticket: `PVE:${user}:${ts}::${sign(`${user}:${ts}`)}`, csrf: `${ts}:${sign(`csrf:${user}:${ts}`)}` };
  };
  type Caller = { user: string; ticket: boolean; ts?: string };
  function authenticate(req: IncomingMessage): Caller {
    const authz = req.headers.authorization;
    if (authz?.startsWith('PVEAPIToken=')) {
      const value = authz.slice('PVEAPIToken='.length);
      const eq = value.indexOf('=');
      const id = value.slice(0, eq);
      if (eq < 0 || tokens[id] === undefined || tokens[id] !== value.slice(eq + 1)) throw new ApiError(401, 'Authentication failed!');
      return { user: id, ticket: false };
    }
    const cookie = /(?:^|;\s*)PVEAuthCookie=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!cookie) throw new ApiError(401, 'No ticket');
    const m = /^PVE:([^:]+):([0-9A-F]{8})::(.+)$/.exec(decodeURIComponent(cookie));
    if (!m || sign(`${m[1]}:${m[2]}`) !== m[3] || Date.now() / 1000 - parseInt(m[2]!, 16) > 7200) throw new ApiError(401, 'Authentication failed!');
    return { user: m[1]!, ticket: true, ts: m[2]! };
  }

  // --- routes --------------------------------------------------------------------------------------

  const vmOf = (vmid: string): FakeVm => {
    const vm = state.vms.get(Number(vmid));
    if (!vm) throw new ApiError(500, `Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist`);
    return vm;
  };
  const storageOf = (name: string) => {
    const s = state.storages.find((x) => x.storage === name);
    if (!s) throw new ApiError(500, `storage '${name}' does not exist`);
    return s;
  };
  const vmListItem = (vm: FakeVm) => ({ vmid: vm.vmid, name: vm.name, status: vm.status, cpus: Number(vm.config.cores ?? 1), maxmem: Number(String(vm.config.memory ?? 512).replace(/^current=/, '')) * 2 ** 20, maxdisk: 0, uptime: vm.startedAt ? Math.floor((Date.now() - vm.startedAt) / 1000) : 0 });

  async function route(req: IncomingMessage, caller: Caller | null, path: string, params: Record<string, string>): Promise<unknown> {
    const method = req.method ?? 'GET';
    const key = `${method} ${path}`;
    let m: RegExpExecArray | null;
    if (key === 'GET /version') return { version: '8.4.1', release: '8.4', repoid: 'c1e2f3a4' };
    if (key === 'GET /nodes') {
      return [{ node, status: 'online', id: `node/${node}`, type: 'node', cpu: 0.02, maxcpu: 16, mem: 4 * 2 ** 30, maxmem: 64 * 2 ** 30, disk: 0, maxdisk: capacity, uptime: 1000, level: '', ssl_fingerprint: current.fingerprint }];
    }
    if (key === 'GET /cluster/nextid') {
      let id = 100;
      while (state.vms.has(id)) id++;
      if (params.vmid) {
        if (state.vms.has(Number(params.vmid))) throw new ApiError(400, 'Parameter verification failed.', { vmid: `VM ${params.vmid} already exists` });
        return params.vmid;
      }
      return String(id);
    }
    if ((m = /^\/nodes\/([^/]+)(\/.*)?$/.exec(path)) && m[1] !== node) throw new ApiError(500, `hostname lookup '${m[1]}' failed - failed to get address info for: ${m[1]}: Name or service not known`);
    const n = `/nodes/${node}`;
    if (key === `GET ${n}/status`) return { cpu: 0.02, loadavg: ['0.1', '0.1', '0.1'], memory: { total: 64 * 2 ** 30, used: 4 * 2 ** 30, free: 60 * 2 ** 30, available: 60 * 2 ** 30 }, pveversion: 'pve-manager/8.4.1' };
    if (key === `GET ${n}/network`) return [{ iface: 'vmbr0', type: 'bridge', active: 1 }];
    if (key === `GET ${n}/storage`) {
      return state.storages
        .filter((s) => !params.content || s.content.includes(params.content))
        .map((s) => {
          const u = used(s.storage);
          return { storage: s.storage, type: s.type, content: s.content.join(','), active: 1, enabled: 1, shared: 0, total: s.total, used: u, avail: s.total - u, used_fraction: u / s.total };
        });
    }
    if ((m = new RegExp(`^${n}/storage/([^/]+)/content$`).exec(path)) && method === 'GET') {
      const s = storageOf(m[1]!);
      const dir = join(storageDir(s.storage), 'import');
      if (!s.content.includes('import') || !existsSync(dir)) return [];
      return readdirSync(dir).filter((f) => !f.startsWith('.')).map((f) => ({ volid: `${s.storage}:import/${f}`, format: f.split('.').pop(), size: statSync(join(dir, f)).size, ctime: Math.floor(statSync(join(dir, f)).ctimeMs / 1000), content: 'import' }));
    }
    if ((m = new RegExp(`^${n}/storage/([^/]+)/content/(.+)$`).exec(path)) && method === 'DELETE') {
      const volid = decodeURIComponent(m[2]!);
      const file = volumePath(volid);
      if (!existsSync(file)) throw new ApiError(500, `volume '${volid}' does not exist`);
      // pve-storage forks imgdel without an id: a volume id has colons, which a UPID cannot carry.
      return task('imgdel', '', caller!.user, 'imgdel', () => rmSync(file));
    }
    if ((m = new RegExp(`^${n}/storage/([^/]+)/upload$`).exec(path)) && method === 'POST') {
      const s = storageOf(m[1]!);
      const type = /boundary=([^;]+)/.exec(req.headers['content-type'] ?? '')?.[1];
      if (!type) throw new ApiError(400, 'Parameter verification failed.', { filename: 'property is missing and it is not optional' });
      if (req.headers['content-length'] === undefined) throw new ApiError(501, 'upload without content length');
      const tmp = join(options.dir, 'tmp', `pveupload-${randomUUID()}`);
      let up;
      try {
        up = await receiveUpload(req, type.replace(/^"|"$/g, ''), tmp);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw new ApiError(400, `upload failed: ${(e as Error).message}`);
      }
      const content = up.fields.content ?? '';
      if (content !== 'import' || !VOLUME_NAME.test(up.filename) || !IMPORT_EXT.test(up.filename)) {
        rmSync(tmp, { force: true });
        throw new ApiError(400, 'Parameter verification failed.', { filename: 'invalid filename or wrong extension' });
      }
      if (!s.content.includes('import')) {
        rmSync(tmp, { force: true });
        throw new ApiError(500, `storage '${s.storage}' does not support 'import' content`);
      }
      const target = join(storageDir(s.storage), 'import', up.filename);
      return task('imgcopy', '', caller!.user, 'upload', (log) => {
        try {
          log(`starting file import from: ${tmp}`);
          if (up.fields.checksum && up.fields.checksum.toLowerCase() !== up.sha256) throw new Error(`checksum mismatch: got '${up.sha256}' != expect '${up.fields.checksum}'`);
          if (used(s.storage) + up.bytes > s.total) throw new Error(`write failed: No space left on device`);
          log(`target file: ${target}`);
          renameSync(tmp, target);
          log('finished file import successfully');
        } finally {
          rmSync(tmp, { force: true });
        }
      });
    }
    if (key === `GET ${n}/qemu`) return [...state.vms.values()].map(vmListItem);
    if (key === `POST ${n}/qemu`) {
      const vmid = Number(params.vmid);
      const errors: Record<string, string> = {};
      if (!params.vmid || !Number.isInteger(vmid) || vmid < 100) errors.vmid = 'property is missing and it is not optional';
      if (params.cores !== undefined && !/^\d+$/.test(params.cores)) errors.cores = `type check ('integer') failed - got '${params.cores}'`;
      const scsi0 = params.scsi0 ?? '';
      const imp = /^([^:,]+):0,import-from=([^,]+)$/.exec(scsi0);
      const blank = /^([^:,]+):(\d+)$/.exec(scsi0);
      if (scsi0 && !imp && !blank) errors.scsi0 = "'import-from' requires special syntax - use <storage ID>:0,import-from=<source>";
      if (Object.keys(errors).length) throw new ApiError(400, 'Parameter verification failed.', errors);
      if (state.vms.has(vmid)) throw new ApiError(500, `unable to create VM ${vmid} - VM ${vmid} already exists on node '${node}'`);
      const target = imp?.[1] ?? blank?.[1];
      if (target && !storageOf(target).content.includes('images')) throw new ApiError(400, 'Parameter verification failed.', { storage: `storage '${target}' does not support vm images` });
      const source = imp ? volumePath(imp[2]!) : null;
      if (source && !existsSync(source)) throw new ApiError(500, `unable to create VM ${vmid} - volume '${imp![2]}' does not exist`);
      // The id is taken at once, as the real node's config lock does.
      const vm: FakeVm = { vmid, name: params.name ?? `VM ${vmid}`, status: 'stopped', config: {}, disks: [], startedAt: null };
      state.vms.set(vmid, vm);
      return task('qmcreate', String(vmid), caller!.user, 'qmcreate', (log) => {
        try {
          const config: Record<string, string | number> = {};
          for (const [k, v] of Object.entries(params)) if (k !== 'vmid' && k !== 'scsi0') config[k] = /^\d+$/.test(v) && ['cores', 'sockets'].includes(k) ? Number(v) : v;
          if (target) {
            const volid = `${target}:vm-${vmid}-disk-0`;
            const file = volumePath(volid);
            if (source) {
              log(`importing disk '${imp![2]}' to VM ${vmid} ...`);
              // A real import converts the whole image; the fake writes a small stand-in so the volume exists as a file.
              writeFileSync(file, Buffer.alloc(Math.min(statSync(source).size, 4096)));
            } else {
              writeFileSync(file, Buffer.alloc(0));
            }
            vm.disks.push(volid);
            config.scsi0 = `${volid},size=${Math.max(1, Math.ceil(statSync(source ?? file).size / 2 ** 30))}G`;
          }
          config.digest = createHash('sha1').update(JSON.stringify(config)).digest('hex');
          vm.config = config;
        } catch (e) {
          for (const d of vm.disks) rmSync(volumePath(d), { force: true });
          state.vms.delete(vmid);
          throw e;
        }
      }, () => state.vms.delete(vmid));
    }
    if ((m = new RegExp(`^${n}/qemu/(\\d+)(/.*)?$`).exec(path))) {
      const vm = vmOf(m[1]!);
      const sub = `${method} ${m[2] ?? ''}`;
      const by = caller!.user;
      switch (sub) {
        case 'GET /status/current':
          return { vmid: vm.vmid, name: vm.name, status: vm.status, qmpstatus: vm.status, uptime: vm.startedAt ? Math.floor((Date.now() - vm.startedAt) / 1000) : 0, cpus: Number(vm.config.cores ?? 1), agent: 1, ha: { managed: 0 } };
        case 'GET /config':
          return vm.config;
        case 'PUT /config': {
          if (params.digest && params.digest !== vm.config.digest) throw new ApiError(500, 'detected modified configuration - file changed by other user? Try again.');
          for (const k of ['cores', 'memory', 'name'] as const) if (params[k] !== undefined) vm.config[k] = k === 'cores' ? Number(params[k]) : params[k]!;
          vm.config.digest = createHash('sha1').update(JSON.stringify({ ...vm.config, digest: '' })).digest('hex');
          return null;
        }
        case 'POST /status/start':
          return task('qmstart', String(vm.vmid), by, 'qmstart', () => {
            if (vm.status === 'running') throw new Error(`VM ${vm.vmid} already running`);
            vm.status = 'running';
            vm.startedAt = Date.now();
          });
        case 'POST /status/stop':
        case 'POST /status/shutdown':
          return task(sub.endsWith('stop') ? 'qmstop' : 'qmshutdown', String(vm.vmid), by, 'qmstop', () => {
            vm.status = 'stopped';
            vm.startedAt = null;
          });
        case 'DELETE ':
          if (vm.status === 'running') throw new ApiError(500, `VM ${vm.vmid} is running - destroy failed`);
          return task('qmdestroy', String(vm.vmid), by, 'qmdestroy', () => {
            for (const d of vm.disks) rmSync(volumePath(d), { force: true });
            state.vms.delete(vm.vmid);
          });
        case 'GET /agent/network-get-interfaces': {
          if (vm.status !== 'running') throw new ApiError(500, `VM ${vm.vmid} is not running`);
          const fault = state.faults.get('agent');
          if (fault !== undefined) throw new ApiError(500, fault);
          const ip = state.guestAddress(vm);
          if (!ip) throw new ApiError(500, 'QEMU guest agent is not running');
          return { result: [{ name: 'lo', 'ip-addresses': [{ 'ip-address-type': 'ipv4', 'ip-address': '127.0.0.1', prefix: 8 }] }, { name: 'eth0', 'hardware-address': 'bc:24:11:12:34:56', 'ip-addresses': [{ 'ip-address-type': 'ipv4', 'ip-address': ip, prefix: 24 }] }] };
        }
      }
    }
    if ((m = new RegExp(`^${n}/tasks/([^/]+)/(status|log)$`).exec(path)) && method === 'GET') {
      const t = state.tasks.get(decodeURIComponent(m[1]!));
      if (!t) throw new ApiError(400, 'Parameter verification failed.', { upid: 'no such task' });
      if (m[2] === 'log') return t.log.length ? t.log.map((line, i) => ({ n: i + 1, t: line })) : [{ n: 1, t: 'no content' }];
      return { upid: t.upid, node, pid, pstart: 0x2f1a3e5, starttime: t.starttime, type: t.type, id: t.id, user: t.user, status: t.status, ...(t.status === 'stopped' ? { exitstatus: t.exitstatus } : {}) };
    }
    throw new ApiError(501, `Method '${method} ${path}' not implemented`);
  }

  // --- transport -----------------------------------------------------------------------------------

  const send = (res: ServerResponse, status: number, body: unknown, reason?: string) => {
    const text = JSON.stringify(body);
    res.writeHead(status, reason ?? (status === 200 ? 'OK' : 'Error'), { 'content-type': 'application/json;charset=UTF-8', server: 'pve-api-daemon/3.0', 'content-length': Buffer.byteLength(text), ...(status >= 400 ? { connection: 'close' } : {}) });
    res.end(text);
  };

  const readForm = async (req: IncomingMessage): Promise<Record<string, string>> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if ((req.headers['content-type'] ?? '').includes('json')) return text ? Object.fromEntries(Object.entries(JSON.parse(text) as Record<string, unknown>).map(([k, v]) => [k, String(v)])) : {};
    return Object.fromEntries(new URLSearchParams(text));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://pve');
    if (!url.pathname.startsWith('/api2/json/')) return send(res, 501, { data: null }, 'Not Implemented');
    const path = url.pathname.slice('/api2/json'.length).replace(/\/$/, '');
    const method = req.method ?? 'GET';
    try {
      if (method === 'POST' && path === '/access/ticket') {
        const f = await readForm(req);
        const user = f.username?.includes('@') ? f.username : `${f.username}@${f.realm ?? 'pam'}`;
        if (!f.username || users[user] === undefined || users[user] !== f.password) {
          if (options.authDelayMs) await new Promise((r) => setTimeout(r, options.authDelayMs));
          return send(res, 401, { data: null, message: 'authentication failure\n' }, 'authentication failure');
        }
        const t = makeTicket(user);
        return send(res, 200, { data: { username: user, ticket: t.ticket, CSRFPreventionToken: t.csrf, cap: { vms: { 'VM.PowerMgmt': 1 } } } });
      }
      let caller: Caller;
      try {
        caller = authenticate(req);
      } catch (e) {
        res.writeHead(401, (e as Error).message, { server: 'pve-api-daemon/3.0', connection: 'close' });
        return void res.end();
      }
      const write = method !== 'GET';
      const isUpload = /\/upload$/.test(path);
      if (caller.ticket && write && !isUpload) {
        const token = req.headers.csrfpreventiontoken;
        if (token !== `${caller.ts}:${sign(`csrf:${caller.user}:${caller.ts}`)}`) {
          res.writeHead(401, 'Permission denied - invalid csrf token', { server: 'pve-api-daemon/3.0', connection: 'close' });
          return void res.end();
        }
      }
      const params = method === 'GET' || method === 'DELETE' || isUpload ? Object.fromEntries(url.searchParams) : await readForm(req);
      const data = await route(req, caller, path, params);
      send(res, 200, { data });
    } catch (e) {
      if (e instanceof ApiError) {
        const first = e.message.split('\n')[0]!;
        return send(res, e.status, { data: null, ...(e.errors ? { errors: e.errors } : {}), message: `${e.message}\n` }, first);
      }
      send(res, 500, { data: null, message: `${(e as Error).message}\n` }, (e as Error).message.split('\n')[0]);
    }
  }

  let current = await certificate();
  const server: Server = createServer({ key: current.key, cert: current.cert }, (req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    get fingerprint() {
      return current.fingerprint;
    },
    state,
    fail(point, message) {
      state.faults.set(point, message);
    },
    volumes() {
      const out: string[] = [];
      for (const s of state.storages) {
        const walk = (d: string, rel: string) => {
          if (!existsSync(d)) return;
          for (const e of readdirSync(d, { withFileTypes: true })) {
            if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
            else out.push(`${s.storage}:${rel}${e.name}`);
          }
        };
        walk(storageDir(s.storage), '');
      }
      return out.sort();
    },
    async replaceCertificate() {
      current = await certificate();
      server.setSecureContext({ key: current.key, cert: current.cert });
      return current.fingerprint;
    },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
