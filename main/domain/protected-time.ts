/**
 * Protected time: a VM counts as protected while its Light Agent is connected to an SVM
 * (rest-api.md §4). These are the rules on one period, in epoch milliseconds; the reports compute
 * the same in SQL over millions of rows, and the tests hold the SQL to these functions.
 */
export type Period = { start: number; end: number | null };
export type Interval = { from: number; to: number };

/** The part of a period inside [from, to); a period still open counts up to `to`. */
export function clipPeriod(p: Period, { from, to }: Interval): { start: number; end: number } | null {
  const start = Math.max(p.start, from);
  const end = Math.min(p.end ?? to, to);
  return end > start ? { start, end } : null;
}

/** Total protected milliseconds of a set of periods inside [from, to), as billed: overlaps count twice. */
export function protectedMilliseconds(periods: readonly Period[], interval: Interval): number {
  let total = 0;
  for (const p of periods) {
    const c = clipPeriod(p, interval);
    if (c) total += c.end - c.start;
  }
  return total;
}

/** Step boundaries [from, to) cut into days or hours, in UTC. */
export function stepStarts(interval: Interval, step: 'day' | 'hour'): number[] {
  const size = step === 'day' ? 86_400_000 : 3_600_000;
  const first = Math.floor(interval.from / size) * size;
  const starts: number[] = [];
  for (let t = first; t < interval.to; t += size) starts.push(t);
  return starts;
}

/** Most VMs protected at the same instant within the interval (an open period runs to `to`). */
export function peakConcurrent(periods: readonly Period[], interval: Interval): number {
  const edges: Array<[number, number]> = [];
  for (const p of periods) {
    const c = clipPeriod(p, interval);
    if (!c) continue;
    edges.push([c.start, 1], [c.end, -1]);
  }
  // Ends before starts at the same instant: a hand-over between two SVMs is not two VMs.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of edges) {
    now += d;
    peak = Math.max(peak, now);
  }
  return peak;
}
