import { describe, expect, it } from 'vitest';
import { DEFAULT_SELECTION_SETTINGS } from '../../main/domain/svm-selection.ts';
import { createAgentDirectory } from '../../main/services/agent-directory.ts';
import { createSvmRegistry } from '../../main/services/svm-registry.ts';
import { discoverRequest, svmReport } from '../support/agent-fixtures.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const registry = () => createSvmRegistry(() => DEFAULT_SELECTION_SETTINGS);
const open = (vm: string) => ({ vmBiosId: vm, start: '2026-01-01T00:00:00Z', end: null });

describe('SVM registry', () => {
  it('adds an SVM on its first report and says so once', () => {
    const r = registry();
    expect(r.applyReport(svmReport(1), T0, 300).change).toBe('up');
    expect(r.applyReport(svmReport(1), T0 + 1000, 300).change).toBeNull();
    expect(r.size).toBe(1);
    expect(r.list()[0]!.id).toBe(svmReport(1).biosId.toLowerCase());
  });

  it('keys SVMs by lower-case BIOS UUID, whatever case they report in', () => {
    const r = registry();
    r.applyReport(svmReport(1, { biosId: svmReport(1).biosId.toUpperCase() }), T0, 300);
    r.applyReport(svmReport(1), T0, 300);
    expect(r.size).toBe(1);
  });

  it('is stale only after more than 3 intervals of silence, and back on its next report', () => {
    const r = registry();
    r.applyReport(svmReport(1), T0, 300);
    expect(r.sweep(T0 + 3 * 300_000)).toEqual([]);
    const stale = r.sweep(T0 + 3 * 300_000 + 1);
    expect(stale.map((e) => e.record.name)).toEqual(['svm-0001']);
    expect(r.sweep(T0 + 4 * 300_000)).toEqual([]);
    expect(r.applyReport(svmReport(1), T0 + 4 * 300_000, 300).change).toBe('back');
    expect(r.get(svmReport(1).biosId.toLowerCase())!.stale).toBe(false);
  });

  it('counts agents pointed at an SVM until that SVM reports again', () => {
    const r = registry();
    const id = r.applyReport(svmReport(1, { connectedAgents: 5 }), T0, 300).entry.record.id;
    const seq = r.assign(id);
    r.assign(id);
    expect(r.list()[0]!.connectedAgents).toBe(7);
    r.release(r.pendingAt(id, seq)!);
    expect(r.list()[0]!.connectedAgents).toBe(6);
    r.applyReport(svmReport(1, { connectedAgents: 6 }), T0 + 1000, 300);
    expect(r.list()[0]!.connectedAgents).toBe(6);
    // A pointing from before the report is in the reported count already: nothing is pending.
    expect(r.pendingAt(id, seq)).toBeUndefined();
    expect(r.list()[0]!.connectedAgents).toBe(6);
  });

  it('knows which VMs an SVM reports as connected, and forgets them when it goes stale', () => {
    const r = registry();
    const vm = discoverRequest(1).vmBiosId;
    r.applyReport(svmReport(1, { connectionPeriods: [open(vm.toUpperCase())] }), T0, 300);
    const id = svmReport(1).biosId.toLowerCase();
    expect(r.connectionOf(vm)).toBe(id);
    expect(r.connectedVmCount).toBe(1);
    r.applyReport(svmReport(2, { connectionPeriods: [open(vm)] }), T0, 300);
    expect(r.connectionOf(vm)).toBe(svmReport(2).biosId.toLowerCase());
    r.applyReport(svmReport(1), T0 + 1, 300);
    expect(r.connectionOf(vm)).toBe(svmReport(2).biosId.toLowerCase());
    r.sweep(T0 + 10 * 300_000);
    expect(r.connectedVmCount).toBe(0);
  });

  it('flags another machine reporting a fresh SVM identity from a different address, and keeps the flag a while', () => {
    const r = registry();
    r.applyReport(svmReport(1), T0, 300);
    const clash = r.applyReport(svmReport(1, { managementAddress: '192.168.9.9' }), T0 + 1000, 300);
    expect(clash.conflict).toEqual({ at: T0 + 1000, previousAddress: svmReport(1).managementAddress, address: '192.168.9.9' });
    expect(r.applyReport(svmReport(1, { managementAddress: '192.168.9.9' }), T0 + 2000, 300).entry.conflict).not.toBeNull();
    expect(r.applyReport(svmReport(1, { managementAddress: '192.168.9.9' }), T0 + 2000 + 3 * 300_000 + 1, 300).entry.conflict).toBeNull();
  });

  it('does not flag an SVM that comes back from staleness with a new address', () => {
    const r = registry();
    r.applyReport(svmReport(1), T0, 300);
    r.sweep(T0 + 10 * 300_000);
    expect(r.applyReport(svmReport(1, { managementAddress: '192.168.9.9' }), T0 + 10 * 300_000, 300).conflict).toBeNull();
  });

  it('restores SVMs from the store with their last report time', () => {
    const r = registry();
    const { connectionPeriods: _p, ...report } = svmReport(3);
    r.restore({ id: report.biosId, name: report.name, report, lastReportAt: T0, reportIntervalMs: 300_000, firstSeenAt: T0 - 5, conflict: null });
    expect(r.list()[0]!.lastReportAt).toBe(T0);
    expect(r.sweep(T0 + 901_000)).toHaveLength(1);
  });
});

describe('agent directory', () => {
  const entry = (n: number, overrides = {}) => ({
    vmBiosId: discoverRequest(n).vmBiosId,
    vmName: discoverRequest(n).vmName,
    lastAskedAt: T0,
    request: discoverRequest(n),
    offeredSvmId: null,
    offeredSequence: -1,
    outcome: 'svms' as const,
    ...overrides,
  });

  it('finds an agent by BIOS UUID or by VM name, in any case', () => {
    const d = createAgentDirectory();
    d.remember(entry(1));
    expect(d.find(discoverRequest(1).vmBiosId.toUpperCase()).map((a) => a.vmName)).toEqual(['vm-000001']);
    expect(d.find('VM-000001').map((a) => a.vmBiosId)).toEqual([discoverRequest(1).vmBiosId]);
    expect(d.find('nope')).toEqual([]);
  });

  it('follows a rename', () => {
    const d = createAgentDirectory();
    d.remember(entry(1));
    d.remember(entry(1, { vmName: 'renamed' }));
    expect(d.find('vm-000001')).toEqual([]);
    expect(d.find('renamed').map((a) => a.vmBiosId)).toEqual([discoverRequest(1).vmBiosId]);
  });

  it('hands out each changed agent once per batch, latest state only', () => {
    const d = createAgentDirectory();
    d.remember(entry(1));
    d.remember(entry(1, { lastAskedAt: T0 + 5 }));
    d.remember(entry(2));
    const batch = d.takeChanged();
    expect(batch.map((a) => [a.vmName, a.lastAskedAt])).toEqual([
      ['vm-000001', T0 + 5],
      ['vm-000002', T0],
    ]);
    expect(d.takeChanged()).toEqual([]);
    d.requeue(batch);
    expect(d.takeChanged()).toHaveLength(2);
  });

  it('keeps one entry per agent, and the request it holds while the agent asks the same again', () => {
    const d = createAgentDirectory();
    d.remember(entry(1));
    const held = d.get(discoverRequest(1).vmBiosId)!;
    const firstRequest = held.request;
    d.remember(entry(1, { lastAskedAt: T0 + 5, offeredSvmId: 'svm-a', offeredSequence: 3, request: discoverRequest(1) }));
    expect(d.get(discoverRequest(1).vmBiosId)).toBe(held);
    expect(held.request).toBe(firstRequest);
    expect([held.lastAskedAt, held.offeredSvmId, held.offeredSequence]).toEqual([T0 + 5, 'svm-a', 3]);
    const tagged = discoverRequest(1, { connectionTag: 'gold' });
    d.remember(entry(1, { request: tagged }));
    expect(held.request).toBe(tagged);
    expect(d.size).toBe(1);
  });

  it('finds every VM that shares a name, however often each asks, and lets go of a name a VM leaves', () => {
    const d = createAgentDirectory();
    const bios = (n: number) => discoverRequest(n).vmBiosId;
    const named = (name: string) => d.find(name).map((a) => a.vmBiosId).sort();
    d.remember(entry(1, { vmName: 'clone' }));
    d.remember(entry(2, { vmName: 'Clone' }));
    d.remember(entry(3, { vmName: 'CLONE' }));
    d.remember(entry(1, { vmName: 'clone', lastAskedAt: T0 + 5 }));
    expect(named('clone')).toEqual([bios(1), bios(2), bios(3)].sort());
    d.remember(entry(2, { vmName: 'renamed' }));
    expect(named('clone')).toEqual([bios(1), bios(3)].sort());
    d.remember(entry(3, { vmName: 'other' }));
    expect(named('clone')).toEqual([bios(1)]);
    d.remember(entry(1, { vmName: 'elsewhere' }));
    expect(named('clone')).toEqual([]);
    expect(named('renamed')).toEqual([bios(2)]);
    expect(d.find(bios(3)).map((a) => a.vmName)).toEqual(['other']);
  });

  it('counts agents that were last given the sentinel', () => {
    const d = createAgentDirectory();
    d.remember(entry(1, { outcome: 'sentinel' }));
    d.remember(entry(2, { outcome: 'sentinel' }));
    d.remember(entry(1));
    expect(d.withSentinel).toBe(1);
  });
});
