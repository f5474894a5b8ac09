import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import type { ReportLine } from '../contract/reports.ts';

export type { ReportLine };

/**
 * The vendor's report line: `{tenant ID};{tenant name};{virtual machine ID};{virtual machine
 * name};{protection enabled};{protection disabled}` (rest-api.md §4.3). Quoting follows RFC 4180
 * with `;` as the delimiter: a field holding `;`, `"` or a line break is quoted, quotes doubled.
 */
export const CSV_OPTIONS = { delimiter: ';', record_delimiter: '\r\n' } as const;

const BATCH = 10_000;
/** What makes csv-stringify quote a field with these options. */
const NEEDS_QUOTING = /[;"\r\n]/;

/**
 * Streams lines into a file: batches of lines are formatted and written, waiting whenever the disk
 * is behind, so memory stays flat whatever the report's size. The file appears under its name only
 * when complete (written as `.partial`, then renamed); a failure leaves nothing behind.
 */
export async function writeCsvFile(file: string, lines: Iterable<ReportLine>, signal?: AbortSignal): Promise<{ lines: number; bytes: number }> {
  const partial = `${file}.partial`;
  const out = createWriteStream(partial, { mode: 0o600 });
  let count = 0;
  let bytes = 0;
  try {
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const text = batch.join('');
      batch = [];
      bytes += Buffer.byteLength(text);
      if (!out.write(text)) await once(out, 'drain');
    };
    for (const line of lines) {
      // Most lines hold nothing to quote: joined as they are, they are exactly what csv-stringify
      // would write; a line with a `;`, quote or line break goes through csv-stringify.
      const plain = !NEEDS_QUOTING.test(line[1]) && !NEEDS_QUOTING.test(line[3]) && !NEEDS_QUOTING.test(line[0]) && !NEEDS_QUOTING.test(line[2]);
      batch.push(plain ? `${line[0]};${line[1]};${line[2]};${line[3]};${line[4]};${line[5]}\r\n` : stringify([line], CSV_OPTIONS));
      count++;
      if (batch.length === BATCH) {
        signal?.throwIfAborted();
        await flush();
      }
    }
    await flush();
    out.end();
    await once(out, 'finish');
    await rename(partial, file);
    return { lines: count, bytes };
  } catch (e) {
    out.destroy();
    await rm(partial, { force: true });
    throw e;
  }
}
