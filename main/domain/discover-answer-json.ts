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
  // The answer being written, between its two passes (measuring, then writing): each SVM's
  // prefix, the count it shows, and that count's length in digits.
  const found: Buffer[] = [];
  const counts: number[] = [];
  const countLengths: number[] = [];
  const tails = new Map<number, Buffer>();
  const tailOf = (askAgainSeconds: number): Buffer => {
    let tail = tails.get(askAgainSeconds);
    if (tail === undefined) tails.set(askAgainSeconds, (tail = Buffer.from(`],"askAgainSeconds":${askAgainSeconds}}`)));
    return tail;
  };
  // `discounted`: the SVM the asking agent already counts against; it gets the count selection
  // ranked it by (one fewer), so that the answer's order agrees with the counts it shows.
  return (selection, settings, discounted) => {
    if (selection.sentinel || selection.candidates.length === 0) return Buffer.from(JSON.stringify(discoverAnswer(selection, settings)));
    const { candidates } = selection;
    const tail = tailOf(settings.askAgainSeconds);
    // Between the SVMs a comma each, and each SVM's closing brace after its count.
    let length = HEAD.length + 2 * candidates.length - 1 + tail.length;
    for (let i = 0; i < candidates.length; i++) {
      const svm = candidates[i]!;
      const bytes = (found[i] = prefixOf(svm).bytes);
      const count = (counts[i] = svm === discounted ? svm.connectedAgents - 1 : svm.connectedAgents);
      length += bytes.length + (countLengths[i] = countLength(count));
    }
    const out = Buffer.allocUnsafe(length);
    out.set(HEAD, 0);
    let at = HEAD.length;
    for (let i = 0; i < candidates.length; i++) {
      const bytes = found[i]!;
      if (i > 0) out[at++] = COMMA;
      out.set(bytes, at);
      at += bytes.length;
      writeCount(out, at, counts[i]!, countLengths[i]!);
      at += countLengths[i]!;
      out[at++] = CLOSE_OBJECT;
    }
    out.set(tail, at);
    found.length = counts.length = countLengths.length = 0;
    return out;
  };
}

/** Digits of a count as JSON prints it; a count is a non-negative integer (the report schema's). */
const countLength = (count: number): number => (Number.isSafeInteger(count) && count >= 0 ? digitsOf(count) : JSON.stringify(count).length);

function digitsOf(count: number): number {
  let digits = 1;
  for (let rest = count; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

/** Writes the count in the `length` bytes `countLength` made room for at `at`. */
function writeCount(out: Buffer, at: number, count: number, length: number): void {
  if (!(Number.isSafeInteger(count) && count >= 0)) {
    const text = JSON.stringify(count);
    for (let i = 0; i < length; i++) out[at + i] = text.charCodeAt(i);
    return;
  }
  let rest = count;
  for (let i = at + length - 1; i >= at; i--) {
    out[i] = DIGIT_ZERO + (rest % 10);
    rest = Math.floor(rest / 10);
  }
}
