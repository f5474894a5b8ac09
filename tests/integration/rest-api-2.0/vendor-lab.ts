import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { XMLParser } from 'fast-xml-parser';
import { startKscSimulator, type KscSimulator } from '../../../main/lab/ksc/index.ts';
import { basic, call, type Reply } from '../../support/https-client.ts';
import { passwordFileArgs, runCli, startServe, tempDir, testPasswords, type ServeProcess } from '../../support/lightkeeper-process.ts';

export const KSC_USER = 'ksc-operator';
export const KSC_PASSWORD = 'Ksc-Operator-S3cret!';
export const V = '/api/2.0/virtualization';

/**
 * The conformance suite's lab: `lightkeeper serve` in its own process on a real TLS port, the
 * Administration Server simulator on another, and a plain XML-over-HTTPS client pinned to the
 * server's certificate, as a provider's billing script would be.
 */
export async function startVendorLab(options: { serveArgs?: string[]; configureKsc?: boolean; sim?: Partial<Parameters<typeof startKscSimulator>[0]> } = {}) {
  const dataDir = tempDir('lk-vendor-');
  const passwords = testPasswords('vendor');
  const setup = await runCli(['setup', '--data', dataDir, ...passwordFileArgs(passwords)]);
  if (setup.code !== 0) throw new Error(setup.stderr);
  const sim: KscSimulator = await startKscSimulator({ port: 0, user: KSC_USER, password: KSC_PASSWORD, ...options.sim });
  let serve: ServeProcess = await startServe(['--data', dataDir, '--port', '0', ...(options.serveArgs ?? [])]);
  const as = (account: keyof typeof passwords) => basic(account, passwords[account]);

  const lab = {
    dataDir,
    passwords,
    sim,
    get serve() {
      return serve;
    },
    as,
    /** A vendor API call; an XML body goes as application/xml unless told otherwise. */
    vendor(method: string, path: string, opts: { body?: string; contentType?: string; account?: keyof typeof passwords; auth?: string } = {}): Promise<Reply> {
      return call(`${serve.url}${V}${path}`, {
        method,
        pin: serve.fingerprint,
        auth: opts.auth ?? as(opts.account ?? 'multitenancy'),
        ...(opts.body !== undefined ? { body: opts.body, headers: { 'content-type': opts.contentType ?? 'application/xml' } } : {}),
      });
    },
    /**
     * A body larger than the server takes: the server answers 413 and closes while we still write,
     * so a write error after the answer is expected, and only the answer counts.
     */
    oversized(path: string, body: string): Promise<number> {
      return new Promise((resolve, reject) => {
        let answered = false;
        const data = Buffer.from(body);
        const req = request(
          `${serve.url}${V}${path}`,
          { method: 'POST', rejectUnauthorized: false, agent: false, headers: { authorization: as('multitenancy'), 'content-type': 'application/xml', 'content-length': data.length } },
          (res) => {
            answered = true;
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', (e) => {
          if (!answered) setTimeout(() => (answered ? undefined : reject(e)), 500);
        });
        // Written in slices, so the answer (sent as soon as the length is seen) is read before the server hangs up.
        const writeFrom = (offset: number): void => {
          while (!answered && offset < data.length) {
            const slice = data.subarray(offset, offset + 16 * 1024);
            offset += slice.length;
            if (!req.write(slice)) {
              req.once('drain', () => writeFrom(offset));
              return;
            }
          }
          if (!answered) req.end();
        };
        req.flushHeaders();
        setTimeout(() => writeFrom(0), 50);
      });
    },
    json(method: string, path: string, body?: unknown): Promise<Reply> {
      return call(`${serve.url}/api/v1${path}`, { method, pin: serve.fingerprint, auth: as('admin'), ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    },
    async configureKsc(): Promise<void> {
      const r = await lab.json('PUT', '/ksc', { address: '127.0.0.1', port: sim.port, user: KSC_USER, password: KSC_PASSWORD, pinnedFingerprint: sim.fingerprint });
      if (r.status !== 200) throw new Error(`KSC settings refused: ${r.status} ${r.body}`);
    },
    async clearKsc(): Promise<void> {
      await lab.json('DELETE', '/ksc');
    },
    /** Polls a task until it has finished; returns its parsed `<task>`. */
    async waitTask(id: string, timeoutMs = 60_000): Promise<ParsedTask> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const r = await lab.vendor('GET', `/tasks/${id}`);
        const task = parseTask(r.body);
        if (['Completed', 'Failed', 'Canceled'].includes(task.state)) return task;
        if (Date.now() > until) throw new Error(`task ${id} still ${task.state}`);
        await sleep(25);
      }
    },
    /** Starts an async call and waits for its task. */
    async runTask(method: string, path: string, body?: string): Promise<ParsedTask> {
      const r = await lab.vendor(method, path, body === undefined ? {} : { body });
      if (r.status !== 202) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
      return lab.waitTask(parseTask(r.body).id);
    },
    /** Our side of the tenants, straight from the database file (read-only), for before/after comparison. */
    dbState(): { tenants: unknown[]; vms: unknown[] } {
      const db = new DatabaseSync(join(dataDir, 'lightkeeper.sqlite'), { readOnly: true });
      try {
        return {
          tenants: db.prepare('SELECT id, name, description, user_data, type, status, lifecycle, vksc_id, vksc_admin_name, ksc_account_id, ksc_folder_id, created, updated FROM tenants ORDER BY id').all(),
          vms: db.prepare('SELECT * FROM tenant_vms ORDER BY id').all(),
        };
      } finally {
        db.close();
      }
    },
    async restart(): Promise<void> {
      serve = await startServe(['--data', dataDir, '--port', '0', ...(options.serveArgs ?? [])]);
    },
    async stop(): Promise<void> {
      serve.child.kill('SIGKILL');
      await serve.exited.catch(() => undefined);
      await sim.stop();
    },
  };
  if (options.configureKsc) await lab.configureKsc();
  return lab;
}
export type VendorLab = Awaited<ReturnType<typeof startVendorLab>>;

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => ['tenant', 'vm', 'task'].includes(name) });

/** A response body as a plain object, to assert element and attribute names exactly. */
export function parseXml(body: string): Record<string, unknown> {
  return parser.parse(body) as Record<string, unknown>;
}

export type ParsedTask = {
  id: string;
  state: string;
  type: string;
  stage: string;
  progress: string;
  created: string;
  stateChanged: string;
  changed: string;
  result?: unknown;
  error?: { code: string; message: string };
};

export function parseTask(body: string): ParsedTask {
  const root = parseXml(body).task as Array<Record<string, unknown>> | undefined;
  const t = root?.[0];
  if (!t) throw new Error(`not a task: ${body}`);
  return {
    id: String(t['@id']),
    created: String(t['@created']),
    stateChanged: String(t['@stateChanged']),
    changed: String(t['@changed']),
    state: String(t.state),
    type: String(t.type),
    stage: String(t.stage),
    progress: String(t.progress),
    ...('result' in t ? { result: t.result } : {}),
    ...('error' in t ? { error: t.error as { code: string; message: string } } : {}),
  };
}

export const errorCode = (r: Reply): string => String((parseXml(r.body).error as { code?: string } | undefined)?.code);

export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function completeTenantXml(name: string, admin = `${name.toLowerCase().replace(/[^a-z0-9]/g, '')}-admin`, password = `Tenant-${name}-Pa55!`): string {
  return `<tenant><name>${name}</name><description>Tenant ${name}</description><userData><![CDATA[billing-id=${name}]]></userData><type>Complete</type><vKsc><user><name>${admin}</name><password>${b64(password)}</password></user></vKsc></tenant>`;
}

export const simpleTenantXml = (name: string) => `<tenant><name>${name}</name><type>Simple</type></tenant>`;

/** The tenant id inside a CreateTenant task's `<result>`. */
export const tenantIdOf = (task: ParsedTask): string => {
  const tenants = (task.result as { tenant?: Array<Record<string, unknown>> } | undefined)?.tenant;
  return String(tenants?.[0]?.['@id']);
};

export const readDataKey = (dataDir: string) => Buffer.from(readFileSync(join(dataDir, 'data.key'), 'utf8').trim(), 'base64');
