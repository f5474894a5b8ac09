import { discoverAnswer, toDiscoveredSvm, type SelectionSettings, type SvmRecord, type SvmSelection } from './svm-selection.ts';

/**
 * An SVM's answer bytes up to its connected-agent count, `{"id":…,"averageLoad":…,"connectedAgents":`:
 * the count is the last field, so that this is all the SVM's text but the count and one `}`.
 */
type SvmPrefix = { bytes: Buffer; averageLoad: number };

const COMMA = 0x2c;
const CLOSE_OBJECT = 0x7d;
const DIGIT_ZERO = 0x30;
const HEAD = Buffer.from('{"svms":[');
const COUNT_KEY = ',"connectedAgents":';

/**
 * The discovery answer as the UTF-8 bytes of the JSON text `DiscoverAnswerSchema` describes, byte
 * for byte what `JSON.stringify(discoverAnswer(selection, settings))` encodes to. Every discovery
 * sends up to 16 SVMs whose id, name, address, ports and load change only when the SVM reports (a
 * new record): their bytes, escaped and encoded once per record, are kept beside it, and only the
 * connected-agent count, which moves as agents are pointed at the SVM, is written each time.
 *
 * Bytes, not a string: a string answer built from parts is flattened, measured and encoded again
 * on every send (about a tenth of a discovery's CPU on the server), where bytes go to the socket
 * as they are. And no number is formatted per answer: that alone cost more than the rest.
 */
export function createDiscoverAnswerWriter(): (selection: SvmSelection, settings: SelectionSettings, discounted?: SvmRecord) => Buffer {
  const kept = new WeakMap<SvmRecord, SvmPrefix>();
  const prefixOf = (svm: SvmRecord): SvmPrefix => {
    let prefix = kept.get(svm);
    // A record's load does not change; the check keeps the answer right if one ever did.
    if (prefix === undefined || prefix.averageLoad !== svm.averageLoad) {
      const text = JSON.stringify(toDiscoveredSvm({ ...svm, connectedAgents: 0 }));
      const count = text.lastIndexOf(COUNT_KEY) + COUNT_KEY.length;
      prefix = { bytes: Buffer.from(text.slice(0, count)), averageLoad: svm.averageLoad };
      kept.set(svm, prefix);
    }
    return prefix;
  };
  // The answer being written, between its two passes (measuring, then writing): each SVM's prefix
  // and the count it shows. Kept at their longest length, so that no call grows them again.
  const found: Buffer[] = [];
  const counts: number[] = [];
  const tails = new Map<number, Buffer>();
  const tailOf = (askAgainSeconds: number): Buffer => {
    let tail = tails.get(askAgainSeconds);
    if (tail === undefined) tails.set(askAgainSeconds, (tail = Buffer.from(`],"askAgainSeconds":${askAgainSeconds}}`)));
    return tail;
  };
  // `discounted`: the SVM the asking agent already counts against; it gets the count selection
  // ranked it by (one fewer), so that the answer's order agrees with the counts it shows.
  return (selection, settings, discounted) => {
    const { candidates } = selection;
    const n = candidates.length;
    if (selection.sentinel || n === 0) return Buffer.from(JSON.stringify(discoverAnswer(selection, settings)));
    const tail = tailOf(settings.askAgainSeconds);
    // Between the SVMs a comma each, and each SVM's closing brace after its count.
    let length = HEAD.length + 2 * n - 1 + tail.length;
    for (let i = 0; i < n; i++) {
      const svm = candidates[i]!;
      const bytes = prefixOf(svm).bytes;
      const count = svm === discounted ? svm.connectedAgents - 1 : svm.connectedAgents;
      found[i] = bytes;
      counts[i] = count;
      length += bytes.length + countLength(count);
    }
    const out = Buffer.allocUnsafe(length);
    out.set(HEAD, 0);
    let at = HEAD.length;
    for (let i = 0; i < n; i++) {
      const bytes = found[i]!;
      if (i > 0) out[at++] = COMMA;
      out.set(bytes, at);
      at = writeCount(out, at + bytes.length, counts[i]!);
      out[at++] = CLOSE_OBJECT;
    }
    out.set(tail, at);
    return out;
  };
}

/** A count the report schema allows (a non-negative integer), small enough for integer arithmetic. */
const isPlainCount = (count: number): boolean => count >= 0 && count === (count | 0);

/** Digits of a count as JSON prints it. */
const countLength = (count: number): number => (isPlainCount(count) ? digitsOf(count) : JSON.stringify(count).length);

function digitsOf(count: number): number {
  let digits = 1;
  for (let bound = 10; count >= bound && digits < 10; bound *= 10) digits++;
  return digits;
}

/** Writes the count at `at`, in the bytes `countLength` made room for; answers where it ends. */
function writeCount(out: Buffer, at: number, count: number): number {
  if (!isPlainCount(count)) {
    const text = JSON.stringify(count);
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
    return at + text.length;
  }
  const end = at + digitsOf(count);
  let rest = count;
  for (let i = end - 1; i >= at; i--) {
    const next = (rest / 10) | 0;
    out[i] = DIGIT_ZERO + rest - next * 10;
    rest = next;
  }
  return end;
}
