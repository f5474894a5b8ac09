import { type DiscoverAnswer, DiscoverAnswerSchema, DiscoverRequestSchema, SvmReportAnswerSchema, SvmReportSchema } from '../../contract/agents.ts';
import { ErrorBodySchema } from '../../contract/errors.ts';
import type { App, AppOptions } from '../types.ts';

/** 10,000 connection periods of ~130 bytes each, with room to spare; Fastify's default is 1 MiB. */
const REPORT_BODY_LIMIT = 4 * 1024 * 1024;
const JSON_UTF8 = 'application/json; charset=utf-8';

/**
 * The agent protocol (design §5): SVMs report, Light Agents discover. Bodies are checked by
 * Fastify's compiled validators (fast on large reports), answers serialized from their schemas.
 * The access hook has already let in only `svm` (or admin) to /svm/* and `agent` to the rest.
 */
export async function agentProtocolRoutes(app: App, { services }: AppOptions) {
  const { svms } = services;
  const errors = { 400: ErrorBodySchema, 413: ErrorBodySchema };

  app.post(
    '/svm/report',
    {
      bodyLimit: REPORT_BODY_LIMIT,
      schema: { tags: ['agents'], summary: 'An SVM reports itself and its Light Agents\' connection periods', body: SvmReportSchema, response: { 200: SvmReportAnswerSchema, ...errors } },
    },
    async (req) => svms.ingestReport(req.body),
  );

  app.post(
    '/agent/discover',
    {
      schema: { tags: ['agents'], summary: 'A Light Agent asks which SVMs it may use, best first', body: DiscoverRequestSchema, response: { 200: DiscoverAnswerSchema, ...errors } },
    },
    // The answer comes as JSON bytes already (written from per-SVM parts kept between reports), so
    // it is sent as it is; the schema above still documents it and the tests hold it to it.
    (req, reply) => {
      // The type provider types a reply by its schema's object; this one is that object's bytes.
      reply.type(JSON_UTF8).send(svms.discoverJson(req.body) as unknown as DiscoverAnswer);
    },
  );
}
