import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { LifecycleErrorBodySchema } from '../../contract/infrastructure.ts';
import { DeployedSvmListSchema, DeployRequestSchema, PreflightReportSchema, ReconfigureRequestSchema, RemoveRequestSchema } from '../../contract/svm-deployment.ts';
import { TaskSchema } from '../../contract/tasks.ts';
import type { Actor } from '../../services/audit-log.ts';
import type { App, AppOptions } from '../types.ts';
import { handleLifecycleErrors } from './lifecycle-errors.ts';

const actor = (req: FastifyRequest): Actor => ({ account: req.account ?? 'unknown', address: req.ip, channel: 'json-api' });
const errors = { 400: LifecycleErrorBodySchema, 404: LifecycleErrorBodySchema, 409: LifecycleErrorBodySchema, 422: LifecycleErrorBodySchema };

/**
 * The SVM Management Wizard: one validated request per action, `…/preflight` runs every check
 * and changes nothing, the action itself answers 202 with its task (progress on /api/v1/events).
 */
export async function svmWizardRoutes(app: App, { services }: AppOptions) {
  const svm = services.svmLifecycle;
  handleLifecycleErrors(app);
  const tags = ['svm-wizard'];
  const by = (account: string | undefined) => account ?? 'unknown';

  app.get('/deployed-svms', { schema: { tags, querystring: Type.Object({ infrastructureId: Type.Optional(Type.String({ format: 'uuid' })) }), response: { 200: DeployedSvmListSchema } } }, async (req) => ({
    items: await svm.listSvms(req.query.infrastructureId ? { infrastructureId: req.query.infrastructureId } : {}),
  }));

  app.post('/svm-wizard/deploy/preflight', { schema: { tags, body: DeployRequestSchema, response: { 200: PreflightReportSchema, ...errors } } }, async (req) => svm.preflightDeploy(req.body));
  app.post('/svm-wizard/deploy', { schema: { tags, body: DeployRequestSchema, response: { 202: TaskSchema, ...errors } } }, async (req, reply) => {
    const task = await svm.deploy(req.body, by(req.account));
    await services.audit.record(actor(req), 'svm.deploy', req.body.infrastructureId, { svms: req.body.svms.map((s) => s.name), imageId: req.body.imageId }, task.id);
    return reply.code(202).header('location', `/api/v1/tasks/${task.id}`).send(task);
  });
  app.post('/svm-wizard/remove/preflight', { schema: { tags, body: RemoveRequestSchema, response: { 200: PreflightReportSchema, ...errors } } }, async (req) => svm.preflightRemove(req.body));
  app.post('/svm-wizard/remove', { schema: { tags, body: RemoveRequestSchema, response: { 202: TaskSchema, ...errors } } }, async (req, reply) => {
    const task = await svm.remove(req.body, by(req.account));
    await services.audit.record(actor(req), 'svm.remove', null, { svmIds: req.body.svmIds }, task.id);
    return reply.code(202).header('location', `/api/v1/tasks/${task.id}`).send(task);
  });
  app.post('/svm-wizard/reconfigure/preflight', { schema: { tags, body: ReconfigureRequestSchema, response: { 200: PreflightReportSchema, ...errors } } }, async (req) => svm.preflightReconfigure(req.body));
  app.post('/svm-wizard/reconfigure', { schema: { tags, body: ReconfigureRequestSchema, response: { 202: TaskSchema, ...errors } } }, async (req, reply) => {
    const task = await svm.reconfigure(req.body, by(req.account));
    await services.audit.record(actor(req), 'svm.reconfigure', null, { svmIds: req.body.svmIds, vcpus: req.body.vcpus, memoryMiB: req.body.memoryMiB, ksc: req.body.ksc, passwordsChanged: Boolean(req.body.passwords?.root || req.body.passwords?.config) }, task.id);
    return reply.code(202).header('location', `/api/v1/tasks/${task.id}`).send(task);
  });
}
