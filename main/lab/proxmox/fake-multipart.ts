/**
 * Streams one multipart/form-data upload the way pveproxy does: the small fields first, then the
 * file part written to a temporary file, hashed on the way; the closing boundary is held back so
 * it never reaches the file.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';

export type ParsedUpload = { fields: Record<string, string>; filename: string; tmpPath: string; bytes: number; sha256: string };

export async function receiveUpload(req: IncomingMessage, boundary: string, tmpPath: string): Promise<ParsedUpload> {
  const fields: Record<string, string> = {};
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let head = Buffer.alloc(0);
  let filename: string | null = null;
  let out: ReturnType<typeof createWriteStream> | null = null;
  let pending = Buffer.alloc(0);
  let bytes = 0;
  const hash = createHash('sha256');
  const write = (b: Buffer) => {
    if (b.length === 0) return Promise.resolve();
    bytes += b.length;
    hash.update(b);
    return new Promise<void>((resolve, reject) => out!.write(b, (e) => (e ? reject(e) : resolve())));
  };

  for await (const chunk of req) {
    if (!out) {
      head = Buffer.concat([head, chunk as Buffer]);
      // Fields come before the file; each part is `--b\r\nheaders\r\n\r\nvalue\r\n`.
      for (;;) {
        const start = head.indexOf(`--${boundary}\r\n`);
        const headersEnd = head.indexOf('\r\n\r\n', start);
        if (start < 0 || headersEnd < 0) break;
        const headers = head.subarray(start, headersEnd).toString('latin1');
        const name = /name="([^"]*)"/.exec(headers)?.[1] ?? '';
        const file = /filename="([^"]*)"/.exec(headers)?.[1];
        if (file !== undefined) {
          filename = file;
          out = createWriteStream(tmpPath);
          pending = head.subarray(headersEnd + 4);
          head = Buffer.alloc(0);
          break;
        }
        const valueEnd = head.indexOf(`\r\n--${boundary}`, headersEnd + 4);
        if (valueEnd < 0) break;
        fields[name] = head.subarray(headersEnd + 4, valueEnd).toString('utf8');
        head = head.subarray(valueEnd + 2);
      }
      if (!out) continue;
    } else {
      pending = Buffer.concat([pending, chunk as Buffer]);
    }
    // Keep enough back to recognise the closing delimiter when it straddles chunks.
    const keep = delimiter.length + 8;
    if (pending.length > keep) {
      await write(pending.subarray(0, pending.length - keep));
      pending = pending.subarray(pending.length - keep);
    }
  }
  if (!out || filename === null) throw new Error('no file part');
  const end = pending.lastIndexOf(delimiter);
  await write(end >= 0 ? pending.subarray(0, end) : pending);
  await new Promise<void>((resolve, reject) => out!.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return { fields, filename, tmpPath, bytes, sha256: hash.digest('hex') };
}
