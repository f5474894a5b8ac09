// An SVM image uploaded from the console (a browser has no path on the server): multipart fields,
// then the file; kept like an imported image, refused with the same reasons, nothing left behind.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openAsBlob, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessServer } from '../support/in-process-server.ts';
import { tempDir } from '../support/lightkeeper-process.ts';

let lab: Awaited<ReturnType<typeof inProcessServer>>;
const dir = tempDir('lk-image-upload-');
const image = join(dir, 'ksv-svm.qcow2');
const notAnImage = join(dir, 'notes.qcow2');
const imagesDir = () => join(lab.dataDir, 'images');

beforeAll(async () => {
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', 'preallocation=full', image, '8M']);
  writeFileSync(notAnImage, 'not a disk image at all\n'.repeat(1000));
  lab = await inProcessServer();
});
afterAll(async () => {
  await lab?.server.stop();
});

/** A multipart body as a browser's FormData sends it: fields in order, then the file. */
async function upload(fields: Record<string, string>, file?: { path: string; field?: string }, account: 'admin' | 'viewer' = 'admin') {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append(file.field ?? 'image', await openAsBlob(file.path), file.path.split('/').at(-1));
  const encoded = new Response(form);
  const r = await lab.server.app.inject({
    method: 'POST',
    url: '/api/v1/svm-images/upload',
    headers: { ...lab.auth(account), 'content-type': encoded.headers.get('content-type')! },
    payload: Buffer.from(await encoded.arrayBuffer()),
  });
  return { status: r.statusCode, body: JSON.parse(r.body) as Record<string, unknown> };
}

const leftovers = () => readdirSync(imagesDir()).filter((f) => f.endsWith('.part'));

describe('uploading an SVM image from the console', () => {
  it('keeps the uploaded file under its name, with the version and SHA-256 given, and lists it', async () => {
    const sha256 = createHash('sha256').update(readFileSync(image)).digest('hex');
    const { status, body } = await upload({ version: '6.2.0.70', sha256: sha256.toUpperCase(), initialConfigPassword: 'Factory-Passw0rd!' }, { path: image });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({ name: 'ksv-svm.qcow2', format: 'qcow2', bytes: statSync(image).size, sha256, version: '6.2.0.70', versionSource: 'request' });
    expect(JSON.stringify(body)).not.toContain('Factory-Passw0rd!');
    const kept = join(imagesDir(), `${body.id as string}.qcow2`);
    expect(createHash('sha256').update(readFileSync(kept)).digest('hex')).toBe(sha256);
    const list = await lab.server.app.inject({ method: 'GET', url: '/api/v1/svm-images', headers: lab.auth('viewer') });
    expect((JSON.parse(list.body) as { items: Array<{ id: string }> }).items.map((i) => i.id)).toContain(body.id);
    const record = await lab.server.services.svmLifecycle.images.record(body.id as string);
    expect(record.initialConfigPassword).toBe('Factory-Passw0rd!');
  });

  it('answers with the image already kept when the same bytes come again, under any name', async () => {
    const first = await upload({}, { path: image });
    const again = await upload({ name: 'another name' }, { path: image });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a file that is not a qcow2 image with the reason, and keeps nothing', async () => {
    const before = readdirSync(imagesDir()).length;
    const { status, body } = await upload({}, { path: notAnImage });
    expect(status).toBe(422);
    expect(body).toMatchObject({ code: 'LK_ImageFormatUnknown' });
    expect(body.message).toContain('notes.qcow2');
    expect(readdirSync(imagesDir()).length).toBe(before);
  });

  it('refuses an image whose SHA-256 is not the one given, and keeps nothing', async () => {
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'other.qcow2'), '16M']);
    const before = readdirSync(imagesDir()).length;
    const { status, body } = await upload({ sha256: 'ab'.repeat(32) }, { path: join(dir, 'other.qcow2') });
    expect(status).toBe(422);
    expect(body).toMatchObject({ code: 'LK_ImageChecksumMismatch' });
    expect(readdirSync(imagesDir()).length).toBe(before);
  });

  it.each([
    [{ sha256: 'not-a-sum' }, 'sha256'],
    [{ version: 'v'.repeat(65) }, 'version'],
    [{ colour: 'blue' }, 'colour'],
  ])('refuses the field that is wrong (%j) and names it', async (fields, named) => {
    const { status, body } = await upload(fields, { path: image });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'LK_ImageUploadInvalid' });
    expect(body.message).toContain(`"${named}"`);
  });

  it('says where the file goes when it is missing or sent under another name', async () => {
    for (const attempt of [await upload({ version: '6.2' }), await upload({}, { path: image, field: 'file' })]) {
      expect(attempt.status).toBe(400);
      expect(attempt.body.message).toContain('"image"');
    }
    expect(leftovers()).toEqual([]);
  });

  it('is for administrators only', async () => {
    expect((await upload({}, { path: image }, 'viewer')).status).toBe(403);
  });
});

describe('an upload cut off half-way (a closed browser tab), on a real TLS port', () => {
  it('leaves no partial file and no image behind', async () => {
    const { port } = await lab.server.start();
    const imagesBefore = (await lab.server.services.svmLifecycle.images.list()).length;
    const boundary = 'lightkeeper-test-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n6.2\r\n--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="cut.qcow2"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/svm-images/upload',
      rejectUnauthorized: false,
      headers: { ...lab.auth('admin'), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + 64 * 1024 * 1024) },
    });
    req.on('error', () => undefined);
    req.write(head);
    req.write(readFileSync(image));
    // The server has started a partial file by now; then the client goes away.
    await expect.poll(() => readdirSync(imagesDir()).filter((f) => f.endsWith('.part')).length, { timeout: 10_000 }).toBe(1);
    req.destroy();
    await expect.poll(() => leftovers(), { timeout: 10_000 }).toEqual([]);
    expect((await lab.server.services.svmLifecycle.images.list()).length).toBe(imagesBefore);
  });
});
