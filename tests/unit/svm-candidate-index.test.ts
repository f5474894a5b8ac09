// The discovery index must answer exactly what selectSvms answers from the whole list, however the
// SVMs came and changed: the function is the specification, the index only a faster way to it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SvmCandidateIndex, type IndexedSvm } from '../../main/domain/svm-candidate-index.ts';
import { selectSvms, type AgentFacts, type SelectionSettings, type SvmRecord, type SvmSelection } from '../../main/domain/svm-selection.ts';
import { agentArb, nowArb, settingsArb, svmArb, svmsArb } from './svm-selection.arbitraries.ts';
import { agent, hypervisor, NOW, settings, svm } from './svm-selection.fixtures.ts';

const ids = (s: SvmSelection) => s.candidates.map((c) => c.id);
const indexOf = (svms: readonly SvmRecord[]) => {
  const index = new SvmCandidateIndex();
  for (const s of svms) index.put({ ...s });
  return index;
};
const expectSameAnswer = (index: SvmCandidateIndex, a: AgentFacts, s: SelectionSettings, now: number) => {
  const expected = selectSvms(a, index.records(), s, now, { explain: false });
  const actual = index.select(a, s, now);
  expect(ids(actual)).toEqual(ids(expected));
  expect(actual.sentinel).toEqual(expected.sentinel);
};

/** The index asked with `discounted`, against selectSvms over every record with that one counting one agent fewer. */
const expectSameAnswerDiscounting = (index: SvmCandidateIndex, discounted: IndexedSvm, a: AgentFacts, s: SelectionSettings, now: number) => {
  const fewer = { ...discounted.record, connectedAgents: discounted.record.connectedAgents - 1 };
  const expected = selectSvms(a, index.records().map((r) => (r.id === fewer.id ? fewer : r)), s, now, { explain: false });
  const actual = index.select(a, s, now, discounted);
  expect(ids(actual)).toEqual(ids(expected));
  expect(actual.candidates.find((c) => c.id === fewer.id) ?? discounted.record).toBe(discounted.record);
};
/** An index of `svms`, and the handle of the one at `at` (counted up by one, as a pointing does). */
const indexPointedAt = (svms: readonly SvmRecord[], at: number) => {
  const index = new SvmCandidateIndex();
  const handles = svms.map((s) => index.put({ ...s }));
  const handle = handles[at % handles.length]!;
  index.setConnectedAgentsOf(handle, handle.record.connectedAgents + 1);
  return { index, handle };
};

/** Changes an SVM can go through while it is indexed. */
type Change = { kind: 'count'; at: number; count: number } | { kind: 'report'; at: number; svm: SvmRecord } | { kind: 'remove'; at: number };
const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('count' as const), at: fc.nat(), count: fc.oneof(fc.nat(4), fc.nat(1_000_000)) }),
  fc.record({ kind: fc.constant('report' as const), at: fc.nat(), svm: svmArb }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
);

/**
 * Worlds where most SVMs pass the hard filters and share a few sets of static facts, so partitions
 * are long and the best `limit` often come from one partition or from places: the cases where an
 * index can go wrong. (The general generators make most SVMs ineligible.)
 */
const templateArb = fc.record({
  version: fc.constantFrom('6.1.0.57', '6.1.2.3', '6.0.0.1'),
  channelEncryption: fc.constantFrom('off' as const, 'on-allow-unsecure' as const),
  keyType: fc.constantFrom('server' as const, 'desktop' as const, 'cores' as const, 'none' as const),
  denylisted: fc.constantFrom(false, false, false, true),
});
const worldArb = fc
  .record({
    templates: fc.array(templateArb, { minLength: 1, maxLength: 3 }),
    svms: fc.array(
      fc.record({
        template: fc.nat(),
        path: svmArb.map((s) => s.path),
        connectedAgents: fc.nat(3),
        averageLoad: fc.constantFrom(0, 1, 2),
        expiresAt: fc.constantFrom(null, NOW - 1000, NOW + 60 * 60_000),
        lastReportAt: fc.integer({ min: NOW - 20 * 60_000, max: NOW }),
        largeInfrastructureMode: fc.boolean(),
      }),
      { maxLength: 60 },
    ),
    agent: agentArb.map((a) => ({ ...a, osFamily: 'linux' as const, agentVersion: '12.1.0.1', connectionTag: null, requiresConnectionProtection: false })),
    limit: fc.integer({ min: 1, max: 5 }),
    locality: settingsArb.map((s) => s.standardAlgorithmSvmLocality),
  })
  .map(({ templates, svms, agent: a, limit, locality }) => ({
    agent: a,
    settings: settings({ maxSvmsPerAnswer: limit, standardAlgorithmSvmLocality: locality }),
    svms: svms.map((x, i) => {
      const t = templates[x.template % templates.length]!;
      return svm({
        id: `svm-${String(i).padStart(2, '0')}`,
        path: x.path,
        version: t.version,
        channelEncryption: t.channelEncryption,
        connectedAgents: x.connectedAgents,
        averageLoad: x.averageLoad,
        lastReportAt: x.lastReportAt,
        reportIntervalMs: 300_000,
        largeInfrastructureMode: x.largeInfrastructureMode,
        connectionTags: { enabled: false, list: [] },
        updateSource: { platforms: ['windows', 'linux'] },
        licence: { keyType: t.keyType, denylisted: t.denylisted, expiresAt: x.expiresAt, edition: 'Enterprise' },
      });
    }),
  }));

describe('the SVM candidate index', () => {
  it('answers what selectSvms answers where most SVMs are eligible and partitions are long', () => {
    fc.assert(
      fc.property(worldArb, (w) => expectSameAnswer(indexOf(w.svms), w.agent, w.settings, NOW)),
      { numRuns: 3000 },
    );
  });

  it('still does in such worlds after many agents were counted in and out (SVMs moving within long partitions)', () => {
    const movesArb = fc.array(fc.record({ at: fc.nat(), by: fc.constantFrom(-1, 1, 1, 2, -3) }), { maxLength: 60 });
    fc.assert(
      fc.property(worldArb, movesArb, (w, moves) => {
        const index = indexOf(w.svms);
        const records = index.records();
        for (const move of moves) {
          if (records.length === 0) break;
          const target = index.get(records[move.at % records.length]!.id)!;
          index.setConnectedAgents(target.id, Math.max(0, target.connectedAgents + move.by));
        }
        expectSameAnswer(index, w.agent, w.settings, NOW);
      }),
      { numRuns: 1500 },
    );
  });

  it('answers what selectSvms answers, for any agent, SVMs, settings and time', () => {
    fc.assert(
      fc.property(agentArb, svmsArb, settingsArb, nowArb, (a, svms, s, now) => expectSameAnswer(indexOf(svms), a, s, now)),
      { numRuns: 2000 },
    );
  });

  it('answers each of many agents asking one index in turn as selectSvms answers it (nothing of one call leaks into the next)', () => {
    fc.assert(
      fc.property(fc.array(agentArb, { minLength: 2, maxLength: 8 }), svmsArb, settingsArb, nowArb, (agents, svms, s, now) => {
        const index = indexOf(svms);
        for (const a of agents) expectSameAnswer(index, a, s, now);
      }),
      { numRuns: 1000 },
    );
  });

  it('follows the version compatibility table it is asked with, and agents of more versions than it remembers', () => {
    const index = indexOf([svm({ version: '6.1.0.57' }), svm({ version: '6.0.0.1' }), svm({ version: '5.2.0.9' })]);
    const tables = [
      settings(),
      settings({ versionCompatibility: [] }),
      settings({ versionCompatibility: [{ agent: '12', platform: 'linux', svm: ['6.0', '5.2'], source: 'test' }] }),
      settings(),
    ];
    for (const s of tables) expectSameAnswer(index, agent(), s, NOW);
    for (let v = 0; v < 600; v++) {
      const s = tables[v % tables.length]!;
      expectSameAnswer(index, agent({ agentVersion: `${[5, 12][v % 2]}.${v % 3}.0.${v}`, osFamily: v % 5 === 0 ? 'windows' : 'linux' }), s, NOW);
    }
  });

  it('still does after connected-agent counts change, SVMs report anew (possibly elsewhere) and go away', () => {
    fc.assert(
      fc.property(agentArb, svmsArb, fc.array(changeArb, { maxLength: 30 }), settingsArb, nowArb, (a, svms, changes, s, now) => {
        const index = indexOf(svms);
        for (const change of changes) {
          const records = index.records();
          if (records.length === 0) break;
          const target = records[change.at % records.length]!;
          if (change.kind === 'count') index.setConnectedAgents(target.id, change.count);
          else if (change.kind === 'report') index.put({ ...change.svm, id: target.id });
          else index.remove(target.id);
          expectSameAnswer(index, a, s, now);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('ranks the asking agent’s own SVM as counting one agent fewer, though it stays in its place (long partitions, with or without a limit)', () => {
    fc.assert(
      fc.property(worldArb.filter((w) => w.svms.length > 0), fc.nat(), fc.boolean(), (w, at, unlimited) => {
        const { index, handle } = indexPointedAt(w.svms, at);
        expectSameAnswerDiscounting(index, handle, w.agent, unlimited ? { ...w.settings, maxSvmsPerAnswer: null } : w.settings, NOW);
      }),
      { numRuns: 3000 },
    );
  });

  it('does so for any agent, SVMs, settings (with or without a limit) and time', () => {
    fc.assert(
      fc.property(agentArb, svmsArb.filter((svms) => svms.length > 0), fc.nat(), settingsArb, nowArb, (a, svms, at, s, now) => {
        const { index, handle } = indexPointedAt(svms, at);
        expectSameAnswerDiscounting(index, handle, a, s, now);
      }),
      { numRuns: 2000 },
    );
  });

  it('moves its own SVM ahead of others with one agent more, and discounts nothing by a stale handle', () => {
    const index = new SvmCandidateIndex();
    const [a] = ['a', 'b', 'c'].map((id) => index.put({ ...svm({ id, path: hypervisor('elsewhere'), connectedAgents: id === 'a' ? 6 : 5 }) }));
    const vm = agent({ path: hypervisor('here') });
    expect(ids(index.select(vm, settings(), NOW, a))).toEqual(['a', 'b', 'c']);
    expect(ids(index.select(vm, settings(), NOW))).toEqual(['b', 'c', 'a']);
    index.remove('a');
    index.put({ ...svm({ id: 'a', path: hypervisor('elsewhere'), connectedAgents: 6 }) });
    expect(ids(index.select(vm, settings(), NOW, a))).toEqual(['b', 'c', 'a']);
  });

  it('walks a partition only until it can add nothing: 2,000 SVMs on 200 hypervisors, the best 16', () => {
    const index = new SvmCandidateIndex();
    for (let i = 0; i < 2000; i++) index.put({ ...svm({ id: `svm-${String(i).padStart(4, '0')}`, path: hypervisor(`hv-${i % 200}`), connectedAgents: i % 97 }) });
    const vm = agent({ path: hypervisor('hv-7') });
    const chosen = index.select(vm, settings(), NOW);
    expect(ids(chosen)).toEqual(ids(selectSvms(vm, index.records(), settings(), NOW)));
    expect(chosen.candidates).toHaveLength(16);
    expect(chosen.candidates.slice(0, 10).every((c) => c.path?.kind === 'virtualization' && c.path.hypervisor === 'hv-7')).toBe(true);
  });

  it('keeps the load order when one SVM’s count moves past others with the same count', () => {
    const index = indexOf(['a', 'b', 'c', 'd'].map((id) => svm({ id, path: hypervisor('elsewhere'), connectedAgents: 5 })));
    index.setConnectedAgents('b', 4);
    index.setConnectedAgents('a', 6);
    const vm = agent({ path: hypervisor('here') });
    expect(ids(index.select(vm, settings(), NOW))).toEqual(['b', 'c', 'd', 'a']);
    expect(index.get('a')?.connectedAgents).toBe(6);
  });

  it('moves an SVM by the handle put returned, and ignores a handle from before the SVM was put again or removed', () => {
    const index = new SvmCandidateIndex();
    const handles = ['a', 'b', 'c'].map((id) => index.put({ ...svm({ id, path: hypervisor('elsewhere'), connectedAgents: 5 }) }));
    const vm = agent({ path: hypervisor('here') });
    index.setConnectedAgentsOf(handles[0]!, 7);
    expect(ids(index.select(vm, settings(), NOW))).toEqual(['b', 'c', 'a']);
    const old = handles[1]!;
    index.put({ ...svm({ id: 'b', path: hypervisor('elsewhere'), connectedAgents: 6 }) });
    index.setConnectedAgentsOf(old, 100);
    expect(index.get('b')?.connectedAgents).toBe(6);
    expect(ids(index.select(vm, settings(), NOW))).toEqual(['c', 'b', 'a']);
    index.remove('c');
    index.setConnectedAgentsOf(handles[2]!, 100);
    expect(ids(index.select(vm, settings(), NOW))).toEqual(['b', 'a']);
  });
});
