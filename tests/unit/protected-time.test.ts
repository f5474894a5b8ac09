import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clipPeriod, peakConcurrent, protectedMilliseconds, stepStarts } from '../../main/domain/protected-time.ts';

const H = 3_600_000;
const D = 24 * H;

describe('clipping a period to the report interval', () => {
  const interval = { from: 10 * H, to: 20 * H };

  it('keeps a period inside the interval whole', () => {
    expect(clipPeriod({ start: 11 * H, end: 12 * H }, interval)).toEqual({ start: 11 * H, end: 12 * H });
  });

  it('cuts what lies before `from` and after `to`', () => {
    expect(clipPeriod({ start: 5 * H, end: 25 * H }, interval)).toEqual({ start: 10 * H, end: 20 * H });
  });

  it('runs a still-open period up to `to`', () => {
    expect(clipPeriod({ start: 15 * H, end: null }, interval)).toEqual({ start: 15 * H, end: 20 * H });
  });

  it('drops a period wholly outside, and one that only touches an edge', () => {
    expect(clipPeriod({ start: 1 * H, end: 2 * H }, interval)).toBeNull();
    expect(clipPeriod({ start: 20 * H, end: 22 * H }, interval)).toBeNull();
    expect(clipPeriod({ start: 8 * H, end: 10 * H }, interval)).toBeNull();
  });
});

describe('protected time', () => {
  it('adds the clipped durations, counting overlapping periods of different VMs twice', () => {
    const periods = [
      { start: 0, end: 2 * H },
      { start: H, end: 3 * H },
      { start: 5 * H, end: null },
    ];
    expect(protectedMilliseconds(periods, { from: H, to: 6 * H })).toBe(H + 2 * H + H);
  });

  it('is additive over adjacent intervals (property)', () => {
    const period = fc.tuple(fc.integer({ min: 0, max: 100 * H }), fc.option(fc.integer({ min: 0, max: 100 * H }), { nil: null })).map(([a, b]) => ({ start: a, end: b === null ? null : Math.max(a, b) }));
    fc.assert(
      fc.property(fc.array(period, { maxLength: 30 }), fc.integer({ min: 0, max: 100 * H }), fc.integer({ min: 0, max: 100 * H }), fc.integer({ min: 0, max: 100 * H }), (ps, a, b, c) => {
        const [from, mid, to] = [a, b, c].sort((x, y) => x - y) as [number, number, number];
        return protectedMilliseconds(ps, { from, to }) === protectedMilliseconds(ps, { from, to: mid }) + protectedMilliseconds(ps, { from: mid, to });
      }),
    );
  });
});

describe('steps and peaks', () => {
  it('cuts an interval into UTC days, starting at the day that holds `from`', () => {
    expect(stepStarts({ from: D + 5 * H, to: 3 * D }, 'day')).toEqual([D, 2 * D]);
    expect(stepStarts({ from: 0, to: 3 * H }, 'hour')).toEqual([0, H, 2 * H]);
  });

  it('counts the most VMs protected at one instant; a hand-over at the same instant is not two', () => {
    expect(peakConcurrent([{ start: 0, end: 2 * H }, { start: H, end: 3 * H }, { start: 2 * H, end: 4 * H }], { from: 0, to: 10 * H })).toBe(2);
    expect(peakConcurrent([{ start: 0, end: H }, { start: H, end: 2 * H }], { from: 0, to: 10 * H })).toBe(1);
    expect(peakConcurrent([], { from: 0, to: H })).toBe(0);
  });
});
