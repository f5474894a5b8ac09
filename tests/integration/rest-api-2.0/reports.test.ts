import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../support/https-client.ts';
import { runCli, tempDir } from '../../support/lightkeeper-process.ts';
import { errorCode, parseTask, simpleTenantXml, startVendorLab, tenantIdOf, V, type VendorLab } from './vendor-lab.ts';

/** Rows 10 and 11 of rest-api.md §6 against `lightkeeper serve` over TLS, and `lightkeeper report`. */
let lab: VendorLab;
let tenantId: string;
const H = 3_600_000;
const T0 = Date.UTC(2026, 9, 1);
const vt = (ms: number) => new Date(ms).toISOString().slice(0, 19);
const VM = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

beforeAll(async () => {
  lab = await startVendorLab();
  const task = await lab.runTask('POST', '/tenants', simpleTenantXml('Reports; "Billing" Ltd'));
  tenantId = tenantIdOf(task);
  const reg = await lab.vendor('POST', `/tenants/${tenantId}/vms/register`, { body: `<vm biosId="${VM(1)}"><name>web-01</name></vm>` });
  expect(reg.status).toBe(200);
  const db = new DatabaseSync(join(lab.dataDir, 'lightkeeper.sqlite'));
  const insert = db.prepare('INSERT INTO svm_connection_periods (svm_id, vm_bios_id, start_at, end_at) VALUES (?, ?, ?, ?)');
  insert.run('svm-a', VM(1), T0, T0 + 2 * H);
  insert.run('svm-a', VM(2), T0 + H, T0 + 3 * H);
  db.close();
});
afterAll(async () => {
  await lab?.stop();
});

const download = (id: string, headers: Record<string, string> = { accept: 'application/csv' }) =>
  call(`${lab.serve.url}${V}/reports/tenants/${id}`, { pin: lab.serve.fingerprint, auth: lab.as('multitenancy'), headers });

async function generate(query: string, timeoutMs = 60_000) {
  const r = await lab.vendor('POST', `/reports/tenants${query}`);
  expect(r.status, r.body).toBe(202);
  expect(r.headers.location).toBe(`${V}/tasks/${parseTask(r.body).id}`);
  const task = await lab.waitTask(parseTask(r.body).id, timeoutMs);
  expect(task.type).toBe('CreateTenantReport');
  expect(task.state, JSON.stringify(task)).toBe('Completed');
  return String(task.result);
}

describe('row 10: POST /reports/tenants', () => {
  it('reports one tenant: its VM, its name quoted where it holds ; and quotes, periods clipped', async () => {
    const id = await generate(`?tenantId=${tenantId}&from=${vt(T0 + H)}&to=${vt(T0 + 4 * H)}`);
    const r = await download(id);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/csv/);
    expect(r.body).toBe(`${tenantId};"Reports; ""Billing"" Ltd";${VM(1)};web-01;${vt(T0 + H)};${vt(T0 + 2 * H)}\r\n`);
  });

  it('without a tenant reports every protected VM, VMs of no tenant too; without from, from the earliest record', async () => {
    const id = await generate(`?to=${vt(T0 + 4 * H)}`);
    const lines = (await download(id)).body.trim().split('\r\n');
    expect(lines).toEqual([
      `${tenantId};"Reports; ""Billing"" Ltd";${VM(1)};web-01;${vt(T0)};${vt(T0 + 2 * H)}`,
      `;;${VM(2)};;${vt(T0 + H)};${vt(T0 + 3 * H)}`,
    ]);
  });

  it('answers 404 for an unknown tenant, and 400 naming the parameter for a bad time', async () => {
    const unknown = await lab.vendor('POST', '/reports/tenants?tenantId=6f9619ff-8b86-4011-b42d-00c04fc964ff');
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe('VIRMT_TenantWithSpecifiedIdNotFound');
    const bad = await lab.vendor('POST', '/reports/tenants?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/from must be a date and time/);
    expect((await lab.vendor('POST', `/reports/tenants?from=${vt(T0 + H)}&to=${vt(T0)}`)).status).toBe(400);
  });

  it('is the multitenancy account’s (and admin’s); others get 403', async () => {
    expect((await lab.vendor('POST', '/reports/tenants', { account: 'viewer' })).status).toBe(403);
  });
});

describe('row 11: GET /reports/tenants/{reportId}', () => {
  let id: string;
  let whole: string;
  beforeAll(async () => {
    id = await generate(`?to=${vt(T0 + 4 * H)}`);
    whole = (await download(id)).body;
  });

  it('serves CSV only: another Accept gets 415', async () => {
    expect((await download(id, { accept: 'application/xml' })).status).toBe(415);
    expect((await download(id, {})).status).toBe(415);
  });

  it('serves a byte range with 206, Content-Range and Content-Length', async () => {
    const r = await download(id, { accept: 'application/csv', range: 'bytes=0-9' });
    expect(r.status).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes 0-9/${Buffer.byteLength(whole)}`);
    expect(r.headers['content-length']).toBe('10');
    expect(r.body).toBe(whole.slice(0, 10));
  });

  it('answers 416 for a range outside the report', async () => {
    const r = await download(id, { accept: 'application/csv', range: `bytes=${Buffer.byteLength(whole) + 10}-${Buffer.byteLength(whole) + 20}` });
    expect(r.status).toBe(416);
    expect(r.headers['content-range']).toBe(`bytes */${Buffer.byteLength(whole)}`);
  });

  it('answers 404 for an unknown report and for an expired one', async () => {
    expect((await download('6f9619ff-8b86-4011-b42d-00c04fc964ff')).status).toBe(404);
    const db = new DatabaseSync(join(lab.dataDir, 'lightkeeper.sqlite'));
    db.prepare('UPDATE protection_reports SET expires_at = 0 WHERE id = ?').run(id);
    db.close();
    expect((await download(id)).status).toBe(404);
  });
});

describe('lightkeeper report', () => {
  it('writes the same CSV as the REST API, for scripts on the server’s machine', async () => {
    const id = await generate(`?tenantId=${tenantId}&from=${vt(T0)}&to=${vt(T0 + 4 * H)}`);
    const viaApi = (await download(id)).body;
    const out = join(tempDir(), 'cli.csv');
    const r = await runCli(['report', '--data', lab.dataDir, '--tenant', tenantId, '--from', vt(T0), '--to', vt(T0 + 4 * H), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Wrote 1 periods/);
    expect(readFileSync(out, 'utf8')).toBe(viaApi);
    expect((await runCli(['report', '--data', lab.dataDir, '--out', out])).stderr).toMatch(/--tenant ID, or --all/);
    expect((await runCli(['report', '--data', lab.dataDir, '--all', '--from', 'soon', '--out', out])).stderr).toMatch(/--from must be a date/);
  });

  it('switches collection with `lightkeeper settings`, and the running server follows', { timeout: 60_000 }, async () => {
    const r = await runCli(['settings', 'protection-reports', '--data', lab.dataDir, '--enable', '--periods-lifetime-days', '45']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/periods\s+on/);
    const settings = JSON.parse((await lab.json('GET', '/settings/protection-reports')).body);
    expect(settings).toMatchObject({ enabled: true, periodsLifetimeDays: 45 });
    // The SVM service collects from SVM reports once the server has read the switch (within 15 s).
    let collecting = false;
    for (let i = 0; i < 100 && !collecting; i++) {
      collecting = JSON.parse((await lab.json('GET', '/reports/protected-time')).body).collecting;
      if (!collecting) await new Promise((r) => setTimeout(r, 250));
    }
    expect(collecting).toBe(true);
  });
});

describe('a large report', () => {
  it('downloads in 1 MiB ranges whose concatenation is the whole file, byte for byte', async () => {
    const db = new DatabaseSync(join(lab.dataDir, 'lightkeeper.sqlite'));
    // About 200 MB of lines: 2.5 million periods (50,000 VMs × 50), generated in the database in key order.
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 2499999)
      INSERT INTO svm_connection_periods (svm_id, vm_bios_id, start_at, end_at)
      SELECT 'svm-big', printf('10000000-0000-4000-8000-%012d', i / 50), ${T0} + (i % 50) * ${H}, ${T0} + (i % 50) * ${H} + 600000 FROM n`);
    db.close();
    const id = await generate(`?from=${vt(T0)}&to=${vt(T0 + 30 * 24 * H)}`, 600_000);
    const file = join(lab.dataDir, 'reports', `${id}.csv`);
    const size = readFileSync(file).length;
    expect(size).toBeGreaterThan(190_000_000);
    const hash = createHash('sha256');
    const MiB = 1024 * 1024;
    for (let start = 0; start < size; start += MiB) {
      const end = Math.min(start + MiB, size) - 1;
      const r = await rawRange(id, start, end);
      expect(r.status).toBe(206);
      expect(r.body.length).toBe(end - start + 1);
      hash.update(r.body);
    }
    expect(hash.digest('hex')).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
  }, 900_000);
});

/** A ranged GET whose body is kept as bytes (the shared client decodes text). */
async function rawRange(id: string, start: number, end: number): Promise<{ status: number; body: Buffer }> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    request(
      `${lab.serve.url}${V}/reports/tenants/${id}`,
      { rejectUnauthorized: false, headers: { authorization: lab.as('multitenancy'), accept: 'application/csv', range: `bytes=${start}-${end}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    )
      .on('error', reject)
      .end();
  });
}
