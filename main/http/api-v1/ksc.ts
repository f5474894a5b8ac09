import type { FastifyRequest } from 'fastify';
import { ErrorBodySchema } from '../../contract/errors.ts';
import { KscProbeRequestSchema, KscProbeResultSchema, KscSettingsRequestSchema, KscSettingsViewSchema, KscTestReportSchema } from '../../contract/ksc.ts';
import type { Actor } from '../../services/audit-log.ts';
import type { App, AppOptions } from '../types.ts';

const actor = (req: FastifyRequest): Actor => ({ account: req.account ?? 'unknown', address: req.ip, channel: 'json-api' });

/**
 * The Administration Server connection. Pinning is two calls, as in the CLI: `probe` shows the
 * fingerprint the server presents; `PUT` stores it only once the administrator sends it back.
 */
export async function kscRoutes(app: App, { services }: AppOptions) {
  const { ksc } = services;
  const tags = ['ksc'];

  app.get('/ksc', { schema: { tags, response: { 200: KscSettingsViewSchema } } }, async () => ksc.view());

  app.put('/ksc', { schema: { tags, body: KscSettingsRequestSchema, response: { 200: KscSettingsViewSchema, 400: ErrorBodySchema } } }, async (req, reply) => {
    try {
      return await ksc.set(req.body, actor(req));
    } catch (e) {
      return reply.code(400).send({ statusCode: 400, code: 'KSC_InvalidArgument', error: 'Bad Request', message: (e as Error).message });
    }
  });

  app.delete('/ksc', { schema: { tags } }, async (req, reply) => {
    await ksc.clear(actor(req));
    return reply.code(204).send();
  });

  app.post('/ksc/probe', { schema: { tags, body: KscProbeRequestSchema, response: { 200: KscProbeResultSchema, 502: ErrorBodySchema } } }, async (req, reply) => {
    try {
      return { fingerprint: await ksc.probe(req.body.address, req.body.port) };
    } catch (e) {
      return reply.code(502).send({ statusCode: 502, code: 'KSC_Unreachable', error: 'Bad Gateway', message: (e as Error).message });
    }
  });

  app.post('/ksc/test', { schema: { tags, response: { 200: KscTestReportSchema, 409: ErrorBodySchema } } }, async (_req, reply) => {
    const report = await ksc.test();
    if (!report) return reply.code(409).send({ statusCode: 409, code: 'KSC_ServiceNotConfigured', error: 'Conflict', message: 'No Administration Server connection is configured.' });
    return report;
  });
}
