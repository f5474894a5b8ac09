// The agents service on a real SQLite file with a hand-driven clock: periods, staleness, restarts.
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../main/contract/events.ts';
import { createEventBus } from '../../main/services/event-bus.ts';
import { createLogger } from '../../main/services/logger.ts';
import { createSvmService } from '../../main/services/svm-service.ts';
import { dataFolder } from '../../main/store/data-folder.ts';
import { fileDataKeyProvider } from '../../main/store/data-key.ts';
import { openStore, type Store } from '../../main/store/store.ts';
import { discoverRequest, svmReport } from '../support/agent-fixtures.ts';
import { tempDir } from '../support/lightkeeper-process.ts';

const T0 = Date.parse('2026-03-01T08:00:00Z');
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

async function open(dir = tempDir()) {
  const folder = dataFolder(dir);
  const store = await openStore(folder, fileDataKeyProvider(folder.dataKey), { create: true });
  stores.push(store);
  const clock = { now: T0 };
  const events = createEventBus();
  const seen: ServerEvent[] = [];
  events.subscribe((e) => seen.push(e));
  const log = createLogger({ directory: folder.logs, level: 'error', console: false });
  const service = createSvmService({ svms: store.svms, agents: store.agents, settings: store.settings, events, log, now: () => new Date(clock.now) });
  await service.load();
  return { dir, store, clock, service, seen };
}

const iso = (ms: number) => new Date(ms).toISOString();
const vm = discoverRequest(1).vmBiosId;

describe('connection periods', () => {
  it('are not kept while collection is off (the vendor default)', async () => {
    const { service } = await open();
    await service.ingestReport(svmReport(1, { connectionPeriods: [{ vmBiosId: vm, start: iso(T0), end: null }] }));
    expect(await service.periods({})).toEqual([]);
  });

  it('are stored once however often they are sent, closed by a later report and never reopened', async () => {
    const { service, clock } = await open();
    await service.setPeriodCollection(true);
    const openPeriod = { vmBiosId: vm.toUpperCase(), start: iso(T0), end: null };
    await service.ingestReport(svmReport(1, { connectionPeriods: [openPeriod] }));
    await service.ingestReport(svmReport(1, { connectionPeriods: [openPeriod] }));
    const svmId = svmReport(1).biosId.toLowerCase();
    expect(await service.periods({ vmBiosId: vm })).toEqual([{ svmId, vmBiosId: vm, startAt: T0, endAt: null }]);
    clock.now += 300_000;
    const closed = { ...openPeriod, end: iso(T0 + 250_000) };
    await service.ingestReport(svmReport(1, { connectionPeriods: [closed] }));
    // A lost answer: the SVM sends the closed period again, and an old copy of it open.
    await service.ingestReport(svmReport(1, { connectionPeriods: [closed, openPeriod] }));
    expect(await service.periods({ vmBiosId: vm })).toEqual([{ svmId, vmBiosId: vm, startAt: T0, endAt: T0 + 250_000 }]);
  });

  it('left open by an SVM that goes stale end at its last report', async () => {
    const { service, clock, seen } = await open();
    await service.setPeriodCollection(true);
    await service.ingestReport(svmReport(2, { connectionPeriods: [{ vmBiosId: vm, start: iso(T0 - 60_000), end: null }] }));
    clock.now = T0 + 3 * 300_000;
    await service.sweep();
    expect((await service.periods({}))[0]!.endAt).toBeNull();
    clock.now = T0 + 3 * 300_000 + 1;
    await service.sweep();
    expect((await service.periods({}))[0]!.endAt).toBe(T0);
    const states = seen.filter((e) => e.name === 'svm.state').map((e) => (e.data as { state: string }).state);
    expect(states).toEqual(['up', 'stale']);
    expect(seen.filter((e) => e.name === 'agents.summary').at(-1)!.data).toMatchObject({ svmsFresh: 0, svmsStale: 1, vmsConnected: 0 });
  });
});

describe('live state', () => {
  it('counts known, connected and unprotected VMs, and says when a stale SVM is back', async () => {
    const { service, clock, seen } = await open();
    await service.ingestReport(svmReport(3, { connectionPeriods: [{ vmBiosId: vm, start: iso(T0), end: null }] }));
    service.discover(discoverRequest(1));
    service.discover(discoverRequest(2));
    expect(service.summary()).toMatchObject({ svmsFresh: 1, svmsStale: 0, vmsKnown: 2, vmsConnected: 1, vmsUnprotected: 1, vmsWithSentinel: 0 });
    clock.now += 901_000;
    await service.sweep();
    expect(service.discover(discoverRequest(1))).toEqual({ svms: [], askAgainSeconds: 30 });
    await service.ingestReport(svmReport(3));
    expect(seen.filter((e) => e.name === 'svm.state').map((e) => (e.data as { state: string }).state)).toEqual(['up', 'stale', 'back']);
    expect(service.discover(discoverRequest(1)).svms).toHaveLength(1);
  });
});

describe('counting agents between reports', () => {
  it('keeps an agent counted on the SVM it went to while it stays there, until that SVM reports', async () => {
    const { service } = await open();
    await service.ingestReport(svmReport(5));
    await service.ingestReport(svmReport(6));
    const first = service.discover(discoverRequest(9)).svms[0]!;
    const pending = () => service.list({}).items.map((s) => [s.name, s.pendingAgents]);
    expect(pending()).toEqual([[first.name, 1], [first.name === 'svm-0005' ? 'svm-0006' : 'svm-0005', 0]].sort());
    service.discover(discoverRequest(9, { connectedSvmId: first.id }));
    service.discover(discoverRequest(9, { connectedSvmId: first.id }));
    expect(pending()).toEqual([[first.name, 1], [first.name === 'svm-0005' ? 'svm-0006' : 'svm-0005', 0]].sort());
    await service.ingestReport(first.name === 'svm-0005' ? svmReport(5, { connectedAgents: 1 }) : svmReport(6, { connectedAgents: 1 }));
    service.discover(discoverRequest(9, { connectedSvmId: first.id }));
    expect(service.get(first.id)).toMatchObject({ connectedAgents: 1, pendingAgents: 0 });
  });
});

describe('counting an agent that asks again', () => {
  it('counts it once on the SVM it keeps getting, however often it asks, and not against it', async () => {
    const { service } = await open();
    // Two equal SVMs on the agent's hypervisor: were its own pointing counted against the first, the
    // next answer would put the other first.
    await service.ingestReport(svmReport(3));
    await service.ingestReport(svmReport(6));
    const pending = () => Object.fromEntries(service.list({}).items.map((s) => [s.name, s.pendingAgents]));
    const first = service.discover(discoverRequest(9)).svms[0]!.name;
    for (let i = 0; i < 3; i++) expect(service.discover(discoverRequest(9)).svms[0]!.name).toBe(first);
    expect(pending()).toEqual({ 'svm-0003': first === 'svm-0003' ? 1 : 0, 'svm-0006': first === 'svm-0006' ? 1 : 0 });
  });

  it('shows its own SVM without itself, and svm-info names the SVM discovery would give it', async () => {
    const { service } = await open();
    await service.ingestReport(svmReport(3));
    await service.ingestReport(svmReport(6));
    const first = service.discover(discoverRequest(9)).svms[0]!;
    // Counted there now (pending), yet shown as selection ranked it: without this agent.
    const again = service.discover(discoverRequest(9));
    expect(again.svms.map((s) => [s.name, s.connectedAgents])).toEqual([[first.name, 0], [first.name === 'svm-0003' ? 'svm-0006' : 'svm-0003', 0]]);
    expect(service.get(first.id)).toMatchObject({ pendingAgents: 1 });
    const found = service.svmInfo(discoverRequest(9).vmBiosId, 'https://is.example:7271');
    expect(found).toMatchObject({ info: { svm: { name: first.name, connectedAgents: 0 } } });
  });

  it('takes its count back from the SVM it leaves for another', async () => {
    const { service } = await open();
    await service.ingestReport(svmReport(5));
    await service.ingestReport(svmReport(6, { connectionTags: { enabled: true, list: ['gold'] } }));
    const pending = () => Object.fromEntries(service.list({}).items.map((s) => [s.name, s.pendingAgents]));
    expect(service.discover(discoverRequest(9)).svms.map((s) => s.name)).toEqual(['svm-0005']);
    expect(pending()).toEqual({ 'svm-0005': 1, 'svm-0006': 0 });
    expect(service.discover(discoverRequest(9, { connectionTag: 'gold' })).svms.map((s) => s.name)).toEqual(['svm-0006']);
    expect(pending()).toEqual({ 'svm-0005': 0, 'svm-0006': 1 });
  });
});

describe('after a restart', () => {
  it('knows the SVMs with their last report time, and every agent that asked before the last flush', async () => {
    const first = await open();
    await first.service.ingestReport(svmReport(4));
    first.service.discover(discoverRequest(7));
    await first.service.stop();
    first.store.close();
    stores.splice(stores.indexOf(first.store), 1);

    const again = await open(first.dir);
    again.clock.now = T0 + 60_000;
    expect(again.service.list({}).items.map((s) => [s.name, s.lastReportAt, s.state])).toEqual([['svm-0004', iso(T0), 'fresh']]);
    expect(again.service.svmInfo('vm-000007', 'https://is.example:7271')).toMatchObject({ info: { lastAskedAt: iso(T0), outcome: 'svm', svm: { name: 'svm-0004' }, integrationServer: 'https://is.example:7271' } });
    again.clock.now = T0 + 901_000;
    await again.service.sweep();
    expect(again.service.list({ state: 'stale' }).total).toBe(1);
  });
});

describe('forgetting an SVM that is gone', () => {
  it('refuses while the SVM still reports, and changes nothing', async () => {
    const { service } = await open();
    await service.ingestReport(svmReport(2));
    await expect(service.forget(svmReport(2).biosId)).rejects.toMatchObject({ statusCode: 409, code: 'SVM_STILL_REPORTING', message: expect.stringContaining('svm-0002') });
    expect(service.list({}).total).toBe(1);
  });

  it('takes a stale SVM out of the list and of discovery, keeps its periods (closed at its last report), and stays gone after a restart', async () => {
    const first = await open();
    await first.service.setPeriodCollection(true);
    await first.service.ingestReport(svmReport(3, { connectionPeriods: [{ vmBiosId: vm, start: iso(T0 - 60_000), end: null }] }));
    await first.service.ingestReport(svmReport(4));
    first.clock.now = T0 + 901_000;
    await first.service.ingestReport(svmReport(4));
    await first.service.sweep();
    const id = svmReport(3).biosId.toLowerCase();

    expect(await first.service.forget(id.toUpperCase())).toMatchObject({ id, name: 'svm-0003', state: 'stale' });
    expect(first.seen.filter((e) => e.name === 'svm.state').map((e) => (e.data as { state: string }).state)).toEqual(['up', 'up', 'stale', 'removed']);
    expect(first.service.get(id)).toBeUndefined();
    expect(first.service.list({}).items.map((s) => s.name)).toEqual(['svm-0004']);
    expect(first.service.discover(discoverRequest(1)).svms.map((s) => s.name)).toEqual(['svm-0004']);
    expect(await first.service.periods({ svmId: id })).toEqual([{ svmId: id, vmBiosId: vm, startAt: T0 - 60_000, endAt: T0 }]);
    expect(await first.service.forget(id)).toBeUndefined();

    await first.service.stop();
    first.store.close();
    stores.splice(stores.indexOf(first.store), 1);
    const again = await open(first.dir);
    expect(again.service.list({}).items.map((s) => s.name)).toEqual(['svm-0004']);
  });
});
