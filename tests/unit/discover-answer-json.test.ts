// The discovery answer's JSON bytes must be what serializing the answer object gives, byte for
// byte and valid against the contract's schema, whatever the SVMs' names and addresses hold and
// however their counts moved since their text was kept.
import fc from 'fast-check';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { DiscoverAnswerSchema } from '../../main/contract/agents.ts';
import { createDiscoverAnswerWriter } from '../../main/domain/discover-answer-json.ts';
import { DEFAULT_SELECTION_SETTINGS, discoverAnswer, type SvmRecord, type SvmSelection } from '../../main/domain/svm-selection.ts';
import { svmArb } from './svm-selection.arbitraries.ts';
import { svm } from './svm-selection.fixtures.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const oddText = fc.string({ unit: fc.constantFrom('a', 'é', '"', '\\', '\n', '\u0000', '\u2028', '😀', '\ud800', '</script>'), minLength: 1, maxLength: 12 });
const wireSvmArb: fc.Arbitrary<SvmRecord> = fc
  .tuple(svmArb, oddText, oddText, fc.array(fc.integer({ min: 1, max: 65_535 }), { minLength: 1, maxLength: 3 }), fc.double({ min: 0, max: 10_000, noNaN: true }))
  .map(([s, name, agentAddress, agentPorts, averageLoad]) => ({ ...s, name, agentAddress, agentPorts, averageLoad }));
const selectionOf = (candidates: SvmRecord[]): SvmSelection => ({ candidates, rejected: [] });

const utf8 = (answer: unknown) => Buffer.from(JSON.stringify(answer));

describe('the discovery answer as JSON bytes', () => {
  it('is exactly JSON.stringify of the answer object, for any names, addresses, ports, counts and loads', () => {
    fc.assert(
      fc.property(fc.uniqueArray(wireSvmArb, { selector: (s) => s.id, maxLength: 16 }), (candidates) => {
        const write = createDiscoverAnswerWriter();
        const selection = selectionOf(candidates);
        expect(write(selection, DEFAULT_SELECTION_SETTINGS)).toEqual(utf8(discoverAnswer(selection, DEFAULT_SELECTION_SETTINGS)));
      }),
    );
  });

  it('shows the SVM the agent already counts against with one agent fewer, as selection ranked it', () => {
    fc.assert(
      fc.property(fc.uniqueArray(wireSvmArb, { selector: (s) => s.id, minLength: 1, maxLength: 16 }).map((c) => c.map((s) => ({ ...s, connectedAgents: s.connectedAgents + 1 }))), fc.nat(), (candidates, at) => {
        const discounted = candidates[at % candidates.length]!;
        const bytes = createDiscoverAnswerWriter()(selectionOf(candidates), DEFAULT_SELECTION_SETTINGS, discounted);
        const fewer = candidates.map((s) => (s === discounted ? { ...s, connectedAgents: s.connectedAgents - 1 } : s));
        expect(bytes).toEqual(utf8(discoverAnswer(selectionOf(fewer), DEFAULT_SELECTION_SETTINGS)));
      }),
    );
  });

  it('writes any count as JSON prints it, at every number of digits and past 32-bit integers', () => {
    const counts = [0, 9, 10, 99, 100, 999_999, 1_000_000, 2_147_483_647, 2_147_483_648, 9_999_999_999, Number.MAX_SAFE_INTEGER, -1, -10, 0.5, 1e21];
    fc.assert(
      fc.property(fc.uniqueArray(wireSvmArb, { selector: (s) => s.id, minLength: 1, maxLength: 16 }), fc.array(fc.oneof(fc.constantFrom(...counts), fc.integer(), fc.nat(10_000)), { minLength: 16, maxLength: 16 }), (svms, picked) => {
        const candidates = svms.map((s, i) => ({ ...s, connectedAgents: picked[i]! }));
        const selection = selectionOf(candidates);
        expect(createDiscoverAnswerWriter()(selection, DEFAULT_SELECTION_SETTINGS)).toEqual(utf8(discoverAnswer(selection, DEFAULT_SELECTION_SETTINGS)));
      }),
    );
  });

  it('is valid against the contract\'s schema for SVMs as reports make them', () => {
    fc.assert(
      fc.property(fc.uniqueArray(svmArb, { selector: (s) => s.id, maxLength: 16 }), (candidates) => {
        expect(Value.Check(DiscoverAnswerSchema, JSON.parse(createDiscoverAnswerWriter()(selectionOf(candidates), DEFAULT_SELECTION_SETTINGS).toString()))).toBe(true);
      }),
    );
  });

  it('writes the connected agents and load an SVM has now, not those it had when its text was kept', () => {
    const write = createDiscoverAnswerWriter();
    const record: Mutable<SvmRecord> = { ...svm({ connectedAgents: 3, averageLoad: 1 }) };
    const selection = selectionOf([record]);
    write(selection, DEFAULT_SELECTION_SETTINGS);
    record.connectedAgents = 4;
    record.averageLoad = 2.5;
    expect(JSON.parse(write(selection, DEFAULT_SELECTION_SETTINGS).toString()).svms[0]).toMatchObject({ connectedAgents: 4, averageLoad: 2.5 });
  });

  it('writes a new record of the same SVM (it reported) with its new name and address', () => {
    const write = createDiscoverAnswerWriter();
    const before = svm({ name: 'old', agentAddress: '10.0.0.1' });
    write(selectionOf([before]), DEFAULT_SELECTION_SETTINGS);
    const answer = JSON.parse(write(selectionOf([{ ...before, name: 'new', agentAddress: '10.0.0.2' }]), DEFAULT_SELECTION_SETTINGS).toString());
    expect(answer.svms[0]).toMatchObject({ name: 'new', address: '10.0.0.2' });
  });

  it('answers the sentinel alone for an inactive Complete tenant, and asks again sooner while the list is empty', () => {
    const write = createDiscoverAnswerWriter();
    const settings = DEFAULT_SELECTION_SETTINGS;
    expect(JSON.parse(write({ candidates: [], rejected: [], sentinel: settings.sentinel }, settings).toString())).toEqual({ svms: [settings.sentinel], askAgainSeconds: settings.askAgainSeconds });
    expect(JSON.parse(write(selectionOf([]), settings).toString())).toEqual({ svms: [], askAgainSeconds: settings.askAgainWhileEmptySeconds });
  });
});
