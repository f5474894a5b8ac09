import { ErrorBodySchema } from '../../contract/errors.ts';
import { FirstRunRequestSchema, FirstRunResultSchema, FirstRunStatusSchema } from '../../contract/setup.ts';
import type { FirstRunSetup } from '../../services/first-run-setup.ts';
import type { App, AppOptions } from '../types.ts';

/** First-run setup (public: guarded by the one-time token instead of an account). */
export async function setupRoutes(app: App, options: AppOptions & { firstRun: FirstRunSetup }) {
  const { firstRun } = options;
  app.get('/setup', { schema: { tags: ['setup'], summary: 'Whether this server waits for its first-run setup', security: [], response: { 200: FirstRunStatusSchema } } }, async () => ({
    required: await firstRun.required(),
  }));

  app.post(
    '/setup',
    {
      schema: {
        tags: ['setup'],
        summary: 'Set every account password once, with the setup token the server printed',
        security: [],
        body: FirstRunRequestSchema,
        response: { 200: FirstRunResultSchema, 400: ErrorBodySchema, 403: ErrorBodySchema, 409: ErrorBodySchema, 429: ErrorBodySchema },
      },
    },
    async (req, reply) => {
      const r = await firstRun.complete(req.ip, req.body.token, req.body.passwords);
      if (r.ok) {
        await options.services.audit.record({ account: 'admin', address: req.ip, channel: 'json-api' }, 'setup.first-run', null, {});
        return { warnings: r.warnings };
      }
      return reply.code(r.status).send({ statusCode: r.status, code: r.code, error: r.status === 403 ? 'Forbidden' : r.status === 409 ? 'Conflict' : r.status === 429 ? 'Too Many Requests' : 'Bad Request', message: r.message });
    },
  );
}
