import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { LifecycleErrorBodySchema } from '../../contract/infrastructure.ts';
import { ImportImageRequestSchema, SvmImageListSchema, SvmImageSchema } from '../../contract/svm-images.ts';
import type { Actor } from '../../services/audit-log.ts';
import type { App, AppOptions } from '../types.ts';
import { handleLifecycleErrors } from './lifecycle-errors.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const actor = (req: FastifyRequest): Actor => ({ account: req.account ?? 'unknown', address: req.ip, channel: 'json-api' });
const errors = { 400: LifecycleErrorBodySchema, 404: LifecycleErrorBodySchema, 409: LifecycleErrorBodySchema, 422: LifecycleErrorBodySchema, 507: LifecycleErrorBodySchema };

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
  app.delete('/svm-images/:id', { schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
    await images.remove(req.params.id);
    await services.audit.record(actor(req), 'svm-image.remove', req.params.id);
    return reply.code(204).send(null);
  });
}
