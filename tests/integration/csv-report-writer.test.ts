import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { writeCsvFile, type ReportLine } from '../../main/services/csv-report-writer.ts';
import { tempDir } from '../support/lightkeeper-process.ts';

describe('the CSV report file', () => {
  it('writes one line per period, `;`-separated, CRLF, UTF-8 without BOM', async () => {
    const file = join(tempDir(), 'r.csv');
    const lines: ReportLine[] = [
      ['t1', 'Acme', 'vm-1', 'web-01', '2026-11-01T00:00:00', '2026-11-01T02:00:00'],
      ['', '', 'vm-2', 'Zoë', '2026-11-01T01:00:00', '2026-11-01T03:00:00'],
    ];
    expect(await writeCsvFile(file, lines)).toEqual({ lines: 2, bytes: Buffer.byteLength(readFileSync(file)) });
    const text = readFileSync(file, 'utf8');
    expect(text).toBe('t1;Acme;vm-1;web-01;2026-11-01T00:00:00;2026-11-01T02:00:00\r\n;;vm-2;Zoë;2026-11-01T01:00:00;2026-11-01T03:00:00\r\n');
    expect(readFileSync(file)[0]).not.toBe(0xef);
  });

  it('quotes names holding the delimiter, quotes or line breaks, so a CSV parser gets them back exactly', async () => {
    const file = join(tempDir(), 'r.csv');
    const names = ['a;b', 'say "hi"', 'two\r\nlines', 'plain'];
    await writeCsvFile(file, names.map((n): ReportLine => ['t', n, 'v', n, 's', 'e']));
    const rows = parse(readFileSync(file, 'utf8'), { delimiter: ';', record_delimiter: '\r\n' }) as string[][];
    expect(rows.map((r) => r[1])).toEqual(names);
  });

  it('leaves no file behind when writing fails part way', async () => {
    const dir = tempDir();
    function* failing(): Generator<ReportLine> {
      for (let i = 0; i < 25_000; i++) yield ['t', 'n', 'v', 'n', 's', 'e'];
      throw new Error('database went away');
    }
    await expect(writeCsvFile(join(dir, 'r.csv'), failing())).rejects.toThrow('database went away');
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'r.csv'))).toBe(false);
  });
});
