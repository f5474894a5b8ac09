import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DatabaseSync } from 'node:sqlite';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { clipPeriod, protectedMilliseconds, type Period } from '../../main/domain/protected-time.ts';
import { inProcessServer } from '../support/in-process-server.ts';
import { svmReport, uuid } from '../support/agent-fixtures.ts';
import { tempDir } from '../support/lightkeeper-process.ts';

let ctx: Awaited<ReturnType<typeof inProcessServer>>;
let db: DatabaseSync;
beforeAll(async () => {
  ctx = await inProcessServer();
  db = new DatabaseSync(join(ctx.dataDir, 'lightkeeper.sqlite'));
});
afterAll(async () => {
  db.close();
  await ctx.server.stop();
});

const S = 1000;
const H = 3_600_000;
const T0 = Date.UTC(2026, 9, 1);
const vendorTime = (ms: number) => new Date(ms).toISOString().slice(0, 19);
const reports = () => ctx.server.services.protectionReports;

function putPeriods(rows: Array<{ svm: string; vm: string; start: number; end: number | null }>) {
  db.exec('DELETE FROM svm_connection_periods');
  const insert = db.prepare('INSERT INTO svm_connection_periods (svm_id, vm_bios_id, start_at, end_at) VALUES (?, ?, ?, ?)');
  db.exec('BEGIN');
  for (const r of rows) insert.run(r.svm, r.vm, r.start, r.end);
  db.exec('COMMIT');
}

async function csvOf(q: { tenantId?: string; from?: number; to?: number }) {
  const file = join(tempDir(), 'r.csv');
  await reports().writeReport(q, file);
  return parse(readFileSync(file, 'utf8'), { delimiter: ';', record_delimiter: '\r\n' }) as string[][];
}
const durationOf = (rows: string[][]) => rows.reduce((sum, r) => sum + (Date.parse(r[5] + 'Z') - Date.parse(r[4] + 'Z')), 0);

describe('the report sums exactly the clipped durations', () => {
  it('matches a brute-force oracle on random periods (property)', async () => {
    const period = fc
      .record({ vm: fc.integer({ min: 1, max: 5 }), svm: fc.integer({ min: 1, max: 3 }), start: fc.integer({ min: 0, max: 96 * 3600 }), length: fc.option(fc.integer({ min: 1, max: 30 * 3600 }), { nil: null }) })
      .map((p) => ({ svm: uuid(0x5e, p.svm), vm: uuid(0xa9, p.vm), start: T0 + p.start * S, end: p.length === null ? null : T0 + (p.start + p.length) * S }));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(period, { maxLength: 25, selector: (p) => `${p.svm}${p.vm}${p.start}` }), fc.integer({ min: 0, max: 100 * 3600 }), fc.integer({ min: 1, max: 100 * 3600 }), async (periods, a, len) => {
        putPeriods(periods);
        const interval = { from: T0 + a * S, to: T0 + (a + len) * S };
        const rows = await csvOf(interval);
        const expected = protectedMilliseconds(periods as Period[], interval);
        expect(durationOf(rows)).toBe(expected);
        expect(rows).toHaveLength(periods.filter((p) => clipPeriod(p, interval) !== null).length);
      }),
      { numRuns: 40 },
    );
  });

  it('writes a still-open period up to `to`, and a VM of no tenant with empty tenant fields', async () => {
    putPeriods([{ svm: uuid(0x5e, 1), vm: uuid(0xa9, 1), start: T0 + H, end: null }]);
    expect(await csvOf({ from: T0, to: T0 + 3 * H })).toEqual([['', '', uuid(0xa9, 1), '', vendorTime(T0 + H), vendorTime(T0 + 3 * H)]]);
  });

  it('ends a still-open period when the report is made, never in the future, whatever `to` says', async () => {
    const start = Math.floor(Date.now() / S) * S - 2 * H;
    putPeriods([{ svm: uuid(0x5e, 1), vm: uuid(0xa9, 1), start, end: null }]);
    const before = Date.now();
    const [row] = await csvOf({ from: start - H, to: start + 24 * H });
    const after = Date.now();
    const end = Date.parse(row![5] + 'Z');
    expect(end).toBeGreaterThanOrEqual(Math.floor(before / S) * S);
    expect(end).toBeLessThanOrEqual(after);
    const figures = await reports().protectedTime({ from: start - H, to: start + 24 * H, step: 'hour' });
    expect(figures.totals[0]!.vmHours).toBeGreaterThanOrEqual(2);
    expect(figures.totals[0]!.vmHours).toBeLessThanOrEqual((Date.now() - start) / H);
    expect(figures.steps.every((st) => Date.parse(st.stepStart) <= Date.now())).toBe(true);
  });
});

describe('periods from SVM reports', () => {
  const auth = () => ctx.auth('svm');
  const send = (periods: Array<{ vmBiosId: string; start: string; end: string | null }>) =>
    ctx.server.app.inject({ method: 'POST', url: '/api/agents/v1/svm/report', headers: auth(), payload: svmReport(7, { connectionPeriods: periods }) });

  it('are not collected while collection is off (the vendor default)', async () => {
    db.exec('DELETE FROM svm_connection_periods');
    expect((await reports().settings()).enabled).toBe(false);
    expect((await send([{ vmBiosId: uuid(0xa9, 9), start: vendorTime(T0) + 'Z', end: vendorTime(T0 + H) + 'Z' }])).statusCode).toBe(200);
    expect(await csvOf({ from: T0, to: T0 + 2 * H })).toEqual([]);
  });

  it('give the same report when an SVM sends the same periods twice', async () => {
    await reports().updateSettings({ enabled: true });
    const periods = [
      { vmBiosId: uuid(0xa9, 1), start: new Date(T0).toISOString(), end: new Date(T0 + H).toISOString() },
      { vmBiosId: uuid(0xa9, 2), start: new Date(T0 + H).toISOString(), end: null },
    ];
    expect((await send(periods)).statusCode).toBe(200);
    const once = await csvOf({ from: T0, to: T0 + 4 * H });
    expect((await send(periods)).statusCode).toBe(200);
    expect(await csvOf({ from: T0, to: T0 + 4 * H })).toEqual(once);
    // A later report closes the open period.
    expect((await send([{ ...periods[1]!, end: new Date(T0 + 2 * H).toISOString() }])).statusCode).toBe(200);
    expect((await csvOf({ from: T0, to: T0 + 4 * H })).map((r) => r[5])).toEqual([vendorTime(T0 + H), vendorTime(T0 + 2 * H)]);
  });
});

describe('the console figures', () => {
  it('give VM-hours per day and per-tenant totals with the peak of concurrent VMs', async () => {
    putPeriods([
      { svm: uuid(0x5e, 1), vm: uuid(0xa9, 1), start: T0 + 20 * H, end: T0 + 28 * H },
      { svm: uuid(0x5e, 1), vm: uuid(0xa9, 2), start: T0 + 22 * H, end: T0 + 23 * H },
    ]);
    const r = await ctx.server.app.inject({ method: 'GET', url: `/api/v1/reports/protected-time?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 48 * H).toISOString()}&step=day`, headers: ctx.auth('viewer') });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.steps).toEqual([
      { tenantId: null, tenantName: null, stepStart: new Date(T0).toISOString(), vmHours: 5 },
      { tenantId: null, tenantName: null, stepStart: new Date(T0 + 24 * H).toISOString(), vmHours: 4 },
    ]);
    expect(body.totals).toEqual([{ tenantId: null, tenantName: null, vmHours: 9, peakConcurrentVms: 2, vms: 2 }]);
    const csv = await ctx.server.app.inject({ method: 'GET', url: `/api/v1/reports/protected-time.csv?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 48 * H).toISOString()}`, headers: ctx.auth('viewer') });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\r\n')[1]).toBe(`;;${new Date(T0).toISOString()};5.0000`);
  });

  it("make the vendor's protection report in a task and download the same CSV the vendor API gives", async () => {
    putPeriods([{ svm: uuid(0x5e, 1), vm: uuid(0xa9, 1), start: T0 + H, end: T0 + 2 * H }]);
    const body = { from: new Date(T0).toISOString(), to: new Date(T0 + 3 * H).toISOString() };
    const post = (account: 'admin' | 'viewer', payload: object) => ctx.server.app.inject({ method: 'POST', url: '/api/v1/reports/protection', headers: ctx.auth(account), payload });
    expect((await post('viewer', body)).statusCode).toBe(403);
    const bad = await post('admin', { from: body.to, to: body.from });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'INVALID_INTERVAL']);
    const unknown = await post('admin', { ...body, tenantId: 'no-such-tenant' });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'TENANT_NOT_FOUND']);

    const started = await post('admin', body);
    expect(started.statusCode).toBe(202);
    const task = await ctx.server.services.tasks.waitUntilFinished(started.json().id);
    expect(task.state).toBe('Completed');
    const file = await ctx.server.app.inject({ method: 'GET', url: `/api/v1/reports/protection/${task.result}`, headers: ctx.auth('viewer') });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toMatch(/text\/csv/);
    expect(file.headers['content-disposition']).toBe(`attachment; filename="protection-report-${task.result}.csv"`);
    const vendor = await ctx.server.app.inject({ method: 'GET', url: `/api/2.0/virtualization/reports/tenants/${task.result}`, headers: { ...ctx.auth('multitenancy'), accept: 'application/csv' } });
    expect(file.body).toBe(vendor.body);
    expect(file.body).toContain(`${uuid(0xa9, 1)};;${vendorTime(T0 + H)};${vendorTime(T0 + 2 * H)}`);
    const gone = await ctx.server.app.inject({ method: 'GET', url: '/api/v1/reports/protection/not-a-report', headers: ctx.auth('viewer') });
    expect([gone.statusCode, gone.json().code]).toEqual([404, 'REPORT_NOT_FOUND']);
  });

  it('switch collection through the JSON API, admin only', async () => {
    expect((await ctx.server.app.inject({ method: 'PATCH', url: '/api/v1/settings/protection-reports', headers: ctx.auth('viewer'), payload: { enabled: false } })).statusCode).toBe(403);
    const r = await ctx.server.app.inject({ method: 'PATCH', url: '/api/v1/settings/protection-reports', headers: ctx.auth('admin'), payload: { periodsLifetimeDays: 30 } });
    expect(r.json()).toMatchObject({ periodsLifetimeDays: 30, reportLifetimeHours: 24 });
    const bad = await ctx.server.app.inject({ method: 'PATCH', url: '/api/v1/settings/protection-reports', headers: ctx.auth('admin'), payload: { periodsLifetimeDays: 0 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/periodsLifetimeDays/);
  });
});

describe('housekeeping', () => {
  it('prunes closed periods older than their lifetime and keeps open ones', async () => {
    const old = Date.now() - 40 * 24 * H;
    putPeriods([
      { svm: uuid(0x5e, 1), vm: uuid(0xa9, 1), start: old, end: old + H },
      { svm: uuid(0x5e, 1), vm: uuid(0xa9, 2), start: old, end: null },
      { svm: uuid(0x5e, 1), vm: uuid(0xa9, 3), start: Date.now() - H, end: Date.now() },
    ]);
    await reports().updateSettings({ periodsLifetimeDays: 30 });
    expect((await reports().housekeeping()).periodsPruned).toBe(1);
    expect((db.prepare('SELECT count(*) AS n FROM svm_connection_periods').get() as { n: number }).n).toBe(2);
  });
});
