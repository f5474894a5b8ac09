import multipart, { type MultipartFields } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { LifecycleErrorBodySchema } from '../../contract/infrastructure.ts';
import {
  IMAGE_CODES,
  IMAGE_UPLOAD_FILE_FIELD,
  ImageUploadOptionsSchema,
  ImportImageRequestSchema,
  SvmImageListSchema,
  SvmImageSchema,
  type ImageUploadOptions,
} from '../../contract/svm-images.ts';
import type { Actor } from '../../services/audit-log.ts';
import { LifecycleError } from '../../services/lifecycle-error.ts';
import type { App, AppOptions } from '../types.ts';
import { handleLifecycleErrors } from './lifecycle-errors.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const actor = (req: FastifyRequest): Actor => ({ account: req.account ?? 'unknown', address: req.ip, channel: 'json-api' });
const errors = { 400: LifecycleErrorBodySchema, 404: LifecycleErrorBodySchema, 409: LifecycleErrorBodySchema, 422: LifecycleErrorBodySchema, 507: LifecycleErrorBodySchema };

/** SVM images are a few GiB; this only stops a runaway upload from filling the disk. */
const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;

/** The text fields that came before the file, checked like a JSON body: the error names the field. */
function uploadOptionsOf(fields: MultipartFields): ImageUploadOptions {
  const options: Record<string, string> = {};
  for (const [name, entry] of Object.entries(fields)) {
    if (name === IMAGE_UPLOAD_FILE_FIELD) continue;
    const value = Array.isArray(entry) ? entry[0] : entry;
    if (Array.isArray(entry) && entry.length > 1) throw new LifecycleError(IMAGE_CODES.uploadInvalid, 400, `The field "${name}" was sent more than once.`);
    if (value?.type !== 'field') throw new LifecycleError(IMAGE_CODES.uploadInvalid, 400, `Only one file may be sent, as the field "${IMAGE_UPLOAD_FILE_FIELD}"; "${name}" is a file too.`);
    if (value.value !== '') options[name] = String(value.value);
  }
  const problem = Value.Errors(ImageUploadOptionsSchema, options)[0];
  if (problem) {
    const field = problem.instancePath.replace(/^\//, '') || String((problem.params as { additionalProperties?: string }).additionalProperties ?? '');
    throw new LifecycleError(IMAGE_CODES.uploadInvalid, 400, field ? `The field "${field}" ${problem.message}.` : `The upload's fields are not valid: ${problem.message}.`);
  }
  return options as ImageUploadOptions;
}

export async function svmImageRoutes(app: App, { services }: AppOptions) {
  const images = services.svmLifecycle.images;
  handleLifecycleErrors(app);
  const tags = ['svm-images'];
  app.get('/svm-images', { schema: { tags, response: { 200: SvmImageListSchema } } }, async () => ({ items: await images.list() }));
  app.post(
    '/svm-images',
    { schema: { tags, summary: 'Import a qcow2 SVM image from a file on the server (SHA-256 checked; OVA/VHDX refused with the reason)', body: ImportImageRequestSchema, response: { 201: SvmImageSchema, ...errors } } },
    async (req, reply) => {
      const image = await images.import(req.body);
      await services.audit.record(actor(req), 'svm-image.import', image.id, { name: image.name, sha256: image.sha256, version: image.version });
      return reply.code(201).send(image);
    },
  );
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 8, fieldSize: 4096, parts: 9 }, throwFileSizeLimit: true });
  app.post(
    '/svm-images/upload',
    {
      schema: {
        tags,
        summary: `Upload a qcow2 SVM image from the console (multipart/form-data: the import's options as fields, then the file as "${IMAGE_UPLOAD_FILE_FIELD}"; SHA-256 checked)`,
        consumes: ['multipart/form-data'],
        response: { 201: SvmImageSchema, 413: LifecycleErrorBodySchema, ...errors },
      },
    },
    async (req, reply) => {
      const part = await req.file();
      if (!part || part.fieldname !== IMAGE_UPLOAD_FILE_FIELD) {
        throw new LifecycleError(IMAGE_CODES.uploadInvalid, 400, `Send the image as the file field "${IMAGE_UPLOAD_FILE_FIELD}", after the other fields.`);
      }
      const options = uploadOptionsOf(part.fields);
      const image = await images.upload(part.file, { ...options, fileName: part.filename || 'image.qcow2' });
      await services.audit.record(actor(req), 'svm-image.upload', image.id, { name: image.name, sha256: image.sha256, version: image.version, bytes: image.bytes });
      return reply.code(201).send(image);
    },
  );
  app.delete('/svm-images/:id', { schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
    await images.remove(req.params.id);
    await services.audit.record(actor(req), 'svm-image.remove', req.params.id);
    return reply.code(204).send(null);
  });
}
