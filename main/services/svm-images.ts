/**
 * SVM images (issue 8 item 3): an imported image is copied into the data folder while its
 * SHA-256 is computed, checked against the expected sum (request, `<file>.sha256`, or the metadata
 * file), and only then recorded. The copy goes to a `.part` file renamed at the end, so an import
 * that dies half-way leaves nothing that looks like an image, and the next import starts clean.
 * An image uploaded from the console is streamed into the same kind of `.part` file and kept the
 * same way, without a second copy.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IMAGE_CODES, type ImageUploadFields, type ImportImageRequest, type SvmImage, type SvmImageImportProgress } from '../contract/svm-images.ts';
import type { InfrastructureStore, SvmImageRecord } from '../store/infrastructure-repositories.ts';
import { refusalFor } from '../contract/image-format.ts';
import { detectImageFormat } from './image-format.ts';
import { LifecycleError } from './lifecycle-error.ts';

/** The metadata file beside an image: `<file>.json`, `<name>.json` or `svm-image.json`. */
type ImageMetadata = { version?: string; sha256?: string; product?: string; initialConfigPassword?: string };

function readMetadata(path: string): ImageMetadata | null {
  const dir = dirname(path);
  const stem = basename(path).replace(/\.qcow2$/i, '');
  for (const candidate of [`${path}.json`, join(dir, `${stem}.json`), join(dir, 'svm-image.json')]) {
    if (!existsSync(candidate)) continue;
    try {
      return JSON.parse(readFileSync(candidate, 'utf8')) as ImageMetadata;
    } catch (e) {
      throw new LifecycleError(IMAGE_CODES.unreadable, 400, `The image metadata file ${candidate} is not valid JSON: ${(e as Error).message}.`);
    }
  }
  return null;
}

function sidecarSha(path: string): string | undefined {
  const file = `${path}.sha256`;
  if (!existsSync(file)) return undefined;
  return /^([0-9a-fA-F]{64})\b/.exec(readFileSync(file, 'utf8').trim())?.[1]?.toLowerCase();
}

export const toContractImage = (r: SvmImageRecord): SvmImage => ({
  id: r.id,
  name: r.name,
  format: r.format,
  bytes: r.bytes,
  sha256: r.sha256,
  version: r.version,
  versionSource: r.versionSource,
  imported: r.imported,
});

/** How often an import reports its progress at most (the last report is always sent). */
const PROGRESS_INTERVAL_MS = 250;

export function createSvmImages(options: {
  store: InfrastructureStore;
  imagesDir: string;
  now: () => Date;
  imageInUse?: (id: string) => Promise<boolean>;
  /** Live progress of each import (published on the server's live channel). */
  onProgress?: (progress: SvmImageImportProgress) => void;
}) {
  const repo = options.store.svmImages;

  async function get(id: string): Promise<SvmImageRecord> {
    const r = await repo.get(id);
    if (!r) throw new LifecycleError(IMAGE_CODES.notFound, 404, `No SVM image ${id}.`);
    return r;
  }

  /** Streams `source` into a new `.part` file in the images folder, hashing it on the way. */
  async function receive(source: Readable, what: string, onChunk: (copied: number) => void): Promise<{ id: string; part: string; sha256: string; bytes: number }> {
    mkdirSync(options.imagesDir, { recursive: true, mode: 0o700 });
    const id = randomUUID();
    const part = join(options.imagesDir, `${id}.qcow2.part`);
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      await pipeline(
        source,
        new Transform({
          transform(chunk: Buffer, _e, cb) {
            hash.update(chunk);
            bytes += chunk.length;
            onChunk(bytes);
            cb(null, chunk);
          },
        }),
        createWriteStream(part, { mode: 0o600 }),
      );
    } catch (e) {
      rmSync(part, { force: true });
      const status = (e as NodeJS.ErrnoException).code === 'ENOSPC' ? 507 : (e as { statusCode?: number }).statusCode === 413 ? 413 : 400;
      throw new LifecycleError(IMAGE_CODES.unreadable, status, `${what} into the data folder failed: ${(e as Error).message}. Nothing was kept.`);
    }
    return { id, part, sha256: hash.digest('hex'), bytes };
  }

  /** Checks a received file against the expected SHA-256 and keeps it (or the same image kept before). */
  async function keep(
    received: { id: string; part: string; sha256: string; bytes: number },
    file: string,
    expected: string | undefined,
    details: { name: string; version: string | null; versionSource: SvmImage['versionSource']; initialConfigPassword: string | null },
  ): Promise<SvmImage> {
    const { id, part, sha256, bytes } = received;
    if (expected !== undefined && expected !== sha256) {
      rmSync(part, { force: true });
      throw new LifecycleError(IMAGE_CODES.checksumMismatch, 422, `The SHA-256 of ${file} is ${sha256}, but ${expected} was expected: the file is damaged or not the one published. Nothing was kept; download it again.`);
    }
    const existing = await repo.findBySha256(sha256);
    if (existing) {
      rmSync(part, { force: true });
      return toContractImage(existing);
    }
    const target = join(options.imagesDir, `${id}.qcow2`);
    await rename(part, target);
    const record: SvmImageRecord = { id, format: 'qcow2', file: target, bytes, sha256, ...details, imported: options.now().toISOString() };
    await repo.insert(record);
    return toContractImage(record);
  }

  return {
    async import(req: ImportImageRequest): Promise<SvmImage> {
      let size: number;
      try {
        size = (await stat(req.path)).size;
      } catch (e) {
        throw new LifecycleError(IMAGE_CODES.unreadable, 400, `Cannot read ${req.path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`);
      }
      const format = await detectImageFormat(req.path);
      if (format !== 'qcow2') throw new LifecycleError(format === 'unknown' ? IMAGE_CODES.unknownFormat : IMAGE_CODES.unusableFormat, 422, refusalFor(format, basename(req.path)));
      const meta = readMetadata(req.path);
      const expected = (req.sha256 ?? sidecarSha(req.path) ?? meta?.sha256)?.toLowerCase();

      let copied = 0;
      let reported = 0;
      const report = (phase: SvmImageImportProgress['phase']) => options.onProgress?.({ path: req.path, phase, copiedBytes: copied, totalBytes: size });
      report('copying');
      try {
        const received = await receive(createReadStream(req.path, { highWaterMark: 1 << 20 }), `Copying ${req.path}`, (bytes) => {
          copied = bytes;
          const at = options.now().getTime();
          if (at - reported >= PROGRESS_INTERVAL_MS) {
            reported = at;
            report('copying');
          }
        });
        const version = meta?.version ?? req.version ?? null;
        const image = await keep(received, basename(req.path), expected, {
          name: req.name ?? basename(req.path),
          version,
          versionSource: meta?.version ? 'metadata' : req.version ? 'request' : 'none',
          initialConfigPassword: req.initialConfigPassword ?? meta?.initialConfigPassword ?? null,
        });
        report('done');
        return image;
      } catch (e) {
        report('failed');
        throw e;
      }
    },

    /**
     * An image sent from the console (a browser has no path on the server). Its format is known
     * only once it is here, so an OVA or VHDX is refused after the upload, with the same reason.
     */
    async upload(source: Readable, fields: ImageUploadFields): Promise<SvmImage> {
      const received = await receive(source, `Receiving ${fields.fileName}`, () => undefined);
      const format = await detectImageFormat(received.part);
      if (format !== 'qcow2') {
        rmSync(received.part, { force: true });
        throw new LifecycleError(format === 'unknown' ? IMAGE_CODES.unknownFormat : IMAGE_CODES.unusableFormat, 422, refusalFor(format, fields.fileName));
      }
      return keep(received, fields.fileName, fields.sha256?.toLowerCase(), {
        name: fields.name ?? fields.fileName,
        version: fields.version ?? null,
        versionSource: fields.version ? 'request' : 'none',
        initialConfigPassword: fields.initialConfigPassword ?? null,
      });
    },

    async list(): Promise<SvmImage[]> {
      return (await repo.list()).map(toContractImage);
    },

    record: get,

    /** Re-reads the kept copy: present and still the bytes that were imported. */
    async verify(id: string): Promise<{ ok: boolean; message: string }> {
      const r = await get(id);
      if (!existsSync(r.file)) return { ok: false, message: `The kept copy of image "${r.name}" (${r.file}) is missing: import it again.` };
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(r.file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
      const sha = hash.digest('hex');
      return sha === r.sha256
        ? { ok: true, message: `Image "${r.name}"${r.version ? ` ${r.version}` : ''} is present and its SHA-256 matches.` }
        : { ok: false, message: `The kept copy of image "${r.name}" is damaged (SHA-256 ${sha}, expected ${r.sha256}): delete it and import it again.` };
    },

    async remove(id: string): Promise<void> {
      const r = await get(id);
      if (options.imageInUse && (await options.imageInUse(id))) throw new LifecycleError(IMAGE_CODES.inUse, 409, `Image "${r.name}" is used by a running deployment task; delete it when the task has finished.`);
      await repo.remove(id);
      rmSync(r.file, { force: true });
      rmSync(`${r.file}.part`, { force: true });
    },
  };
}
export type SvmImages = ReturnType<typeof createSvmImages>;
