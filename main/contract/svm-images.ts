import { Type, type Static } from 'typebox';

/** SVM images kept by the Integration Server (issue 8 item 3). */
export const IMAGE_CODES = {
  notFound: 'LK_ImageNotFound',
  unusableFormat: 'LK_ImageFormatUnusable',
  unknownFormat: 'LK_ImageFormatUnknown',
  checksumMismatch: 'LK_ImageChecksumMismatch',
  unreadable: 'LK_ImageUnreadable',
  inUse: 'LK_ImageInUse',
  uploadInvalid: 'LK_ImageUploadInvalid',
} as const;

export const SvmImageSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  format: Type.Enum(['qcow2']),
  bytes: Type.Integer(),
  sha256: Type.String(),
  version: Type.Union([Type.String(), Type.Null()]),
  /** Where the version came from: the metadata file beside the image, the request, or nowhere. */
  versionSource: Type.Enum(['metadata', 'request', 'none']),
  imported: Type.String({ format: 'date-time' }),
});
export type SvmImage = Static<typeof SvmImageSchema>;

export const ImportImageRequestSchema = Type.Object({
  /** A file on the Integration Server's machine (the console's upload lands there first). */
  path: Type.String({ minLength: 1, maxLength: 4096 }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  /** Expected SHA-256; also read from `<file>.sha256` or the metadata file when present. */
  sha256: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$' })),
  version: Type.Optional(Type.String({ maxLength: 64 })),
  /** The image's factory klconfig password, for the first login to a fresh SVM. */
  initialConfigPassword: Type.Optional(Type.String({ maxLength: 256 })),
}, { additionalProperties: false });
export type ImportImageRequest = Static<typeof ImportImageRequestSchema>;

/** The multipart field of an upload that carries the image; the other fields come before it. */
export const IMAGE_UPLOAD_FILE_FIELD = 'image';

/**
 * `POST /api/v1/svm-images/upload` (multipart/form-data): the import's options as text fields,
 * then the file as the field `image`. The file's own name stands in for the path.
 */
export const ImageUploadOptionsSchema = Type.Omit(ImportImageRequestSchema, ['path'], { additionalProperties: false });
export type ImageUploadOptions = Static<typeof ImageUploadOptionsSchema>;
export type ImageUploadFields = ImageUploadOptions & { fileName: string };

export const SvmImageListSchema = Type.Object({ items: Type.Array(SvmImageSchema) });

/**
 * Live progress of an image import (`svm-image.import` on /api/v1/events): the import request
 * answers only when the copy is made and checked, which takes minutes for a real image.
 */
export const SvmImageImportProgressSchema = Type.Object({
  /** The path the import request named: the console follows its own import by it. */
  path: Type.String(),
  phase: Type.Enum(['copying', 'done', 'failed']),
  copiedBytes: Type.Integer({ minimum: 0 }),
  totalBytes: Type.Integer({ minimum: 0 }),
});
export type SvmImageImportProgress = Static<typeof SvmImageImportProgressSchema>;
