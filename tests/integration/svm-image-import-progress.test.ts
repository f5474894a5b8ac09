// An image import reports its progress on the live channel (`svm-image.import`), so the console can
// show a real progress bar while the request copies the image and checks its SHA-256.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import type { ServerEvent } from '../../main/contract/events.ts';
import { SvmImageImportProgressSchema, type SvmImageImportProgress } from '../../main/contract/svm-images.ts';
import { inProcessServer } from '../support/in-process-server.ts';
import { tempDir } from '../support/lightkeeper-process.ts';

let lab: Awaited<ReturnType<typeof inProcessServer>>;
const dir = tempDir('lk-image-progress-');
const image = join(dir, 'svm.qcow2');

beforeAll(async () => {
  // Preallocated, so the copy is many chunks of real bytes.
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', 'preallocation=full', image, '24M']);
  lab = await inProcessServer();
});
afterAll(async () => {
  await lab?.server.stop();
});

async function importWithEvents(payload: object) {
  const seen: SvmImageImportProgress[] = [];
  const unsubscribe = lab.server.services.events.subscribe((e: ServerEvent) => {
    if (e.name === 'svm-image.import') seen.push(e.data);
  });
  try {
    const r = await lab.server.app.inject({ method: 'POST', url: '/api/v1/svm-images', headers: lab.auth('admin'), payload });
    return { status: r.statusCode, body: JSON.parse(r.body) as { id: string; bytes: number; message?: string }, seen };
  } finally {
    unsubscribe();
  }
}

describe('image import progress on the live channel', () => {
  it('reports copying from 0 up to every byte, then done', async () => {
    const { status, body, seen } = await importWithEvents({ path: image, version: '6.2.0.70' });
    expect(status).toBe(201);
    const size = statSync(image).size;
    expect(body.bytes).toBe(size);
    expect(seen.every((p) => Value.Check(SvmImageImportProgressSchema, p) && p.path === image && p.totalBytes === size)).toBe(true);
    expect(seen[0]).toMatchObject({ phase: 'copying', copiedBytes: 0 });
    expect(seen.at(-1)).toEqual({ path: image, phase: 'done', copiedBytes: size, totalBytes: size });
    const copied = seen.map((p) => p.copiedBytes);
    expect(copied).toEqual([...copied].sort((a, b) => a - b));
  });

  it('ends with failed when the SHA-256 does not match, and nothing is kept', async () => {
    const { status, body, seen } = await importWithEvents({ path: image, sha256: '0'.repeat(64) });
    expect(status).toBe(422);
    expect(body.message).toMatch(/SHA-256/);
    expect(seen.at(-1)).toMatchObject({ path: image, phase: 'failed' });
    const list = await lab.server.app.inject({ method: 'GET', url: '/api/v1/svm-images', headers: lab.auth('admin') });
    expect((JSON.parse(list.body) as { items: unknown[] }).items).toHaveLength(1);
  });
});
