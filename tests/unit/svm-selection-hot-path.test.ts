// Discovery calls selectSvms without reasons; what it offers must not change because of that.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectSvms } from '../../main/domain/svm-selection.ts';
import { agent, hypervisor, NOW, settings, svm } from './svm-selection.fixtures.ts';

describe('selectSvms without reasons (the discovery hot path)', () => {
  it('offers exactly what the explained call offers, and lists no rejected SVM', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ hv: fc.integer({ min: 0, max: 3 }), agents: fc.nat(50), tagged: fc.boolean(), old: fc.boolean(), v5: fc.boolean() }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        (specs, limit) => {
          const svms = specs.map((s) =>
            svm({
              path: hypervisor(`hv-${s.hv}`),
              connectedAgents: s.agents,
              connectionTags: { enabled: s.tagged, list: ['t'] },
              lastReportAt: s.old ? NOW - 3_600_000 : NOW - 1000,
              version: s.v5 ? '5.2.0.1' : '6.1.0.57',
            }),
          );
          const st = settings({ maxSvmsPerAnswer: limit });
          const explained = selectSvms(agent(), svms, st, NOW);
          const fast = selectSvms(agent(), svms, st, NOW, { explain: false });
          expect(fast.candidates.map((c) => c.id)).toEqual(explained.candidates.map((c) => c.id));
          expect(fast.rejected).toEqual([]);
        },
      ),
    );
  });
});
