import { createReadStream } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { Type } from 'typebox';
import { ErrorBodySchema } from '../../contract/errors.ts';
import {
  ProtectedTimeQuerySchema,
  ProtectedTimeSchema,
  ProtectionReportSettingsPatchSchema,
  ProtectionReportRequestSchema,
  ProtectionReportSettingsSchema,
  type ProtectedTimeQuery,
} from '../../contract/reports.ts';
import { TaskSchema } from '../../contract/tasks.ts';
import { UnknownTenantError } from '../../services/protection-reports.ts';
import type { App, AppOptions } from '../types.ts';

/** Protected time for the console's charts and its CSV export, and the collection settings (issue 7). */
export async function reportRoutes(app: App, { services }: AppOptions) {
  const reports = services.protectionReports;

  const query = (q: ProtectedTimeQuery) => ({
    ...(q.tenantId ? { tenantId: q.tenantId } : {}),
    ...(q.from ? { from: Date.parse(q.from) } : {}),
    ...(q.to ? { to: Date.parse(q.to) } : {}),
    step: q.step ?? 'day',
  });
  const notFound = (e: UnknownTenantError) => ({ statusCode: 404, code: 'TENANT_NOT_FOUND', error: 'Not Found', message: e.message });
  const badInterval = { statusCode: 400, code: 'INVALID_INTERVAL', error: 'Bad Request', message: 'from must be earlier than to.' };

  app.get(
    '/reports/protected-time',
    {
      schema: {
        tags: ['reports'],
        summary: 'Protected VM-hours per day or hour and tenant, with per-tenant totals and peak concurrent VMs',
        querystring: ProtectedTimeQuerySchema,
        response: { 200: ProtectedTimeSchema, 400: ErrorBodySchema, 404: ErrorBodySchema },
      },
    },
    async (req, reply) => {
      const q = query(req.query);
      if (q.from !== undefined && q.to !== undefined && q.from >= q.to) return reply.code(400).send(badInterval);
      try {
        return await reports.protectedTime(q);
      } catch (e) {
        if (e instanceof UnknownTenantError) return reply.code(404).send(notFound(e));
        throw e;
      }
    },
  );

  app.get(
    '/reports/protected-time.csv',
    { schema: { tags: ['reports'], summary: 'The same figures per step as CSV (tenant id; tenant name; step start; VM-hours)', querystring: ProtectedTimeQuerySchema } },
    async (req, reply) => {
      const q = query(req.query);
      if (q.from !== undefined && q.to !== undefined && q.from >= q.to) return reply.code(400).send(badInterval);
      try {
        const r = await reports.protectedTime(q);
        const rows = [['tenant id', 'tenant name', 'step start (UTC)', 'protected VM-hours'], ...r.steps.map((s) => [s.tenantId ?? '', s.tenantName ?? '', s.stepStart, s.vmHours.toFixed(4)])];
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="protected-time-${r.step}.csv"`)
          .send(stringify(rows, { delimiter: ';', record_delimiter: '\r\n' }));
      } catch (e) {
        if (e instanceof UnknownTenantError) return reply.code(404).send(notFound(e));
        throw e;
      }
    },
  );

  app.post(
    '/reports/protection',
    {
      schema: {
        tags: ['reports'],
        summary: "Make the vendor's tenant protection report (CSV) in a task; its result is the report id",
        body: ProtectionReportRequestSchema,
        response: { 202: TaskSchema, 400: ErrorBodySchema, 404: ErrorBodySchema },
      },
    },
    async (req, reply) => {
      const q = query(req.body);
      if (q.from !== undefined && q.to !== undefined && q.from >= q.to) return reply.code(400).send(badInterval);
      try {
        const task = await reports.generate(q, req.account ?? 'unknown');
        await services.audit.record({ account: req.account ?? 'unknown', address: req.ip, channel: 'json-api' }, 'report.create', q.tenantId ?? null, { from: req.body.from ?? null, to: req.body.to ?? null }, task.id);
        return reply.code(202).send(task);
      } catch (e) {
        if (e instanceof UnknownTenantError) return reply.code(404).send(notFound(e));
        throw e;
      }
    },
  );

  app.get(
    '/reports/protection/:id',
    {
      schema: {
        tags: ['reports'],
        summary: 'Download a protection report the task made, while it is kept (text/csv; 404 REPORT_NOT_FOUND once expired)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      },
    },
    async (req, reply) => {
      const file = await reports.reportFile(req.params.id);
      if (!file) {
        return reply.code(404).send({ statusCode: 404, code: 'REPORT_NOT_FOUND', error: 'Not Found', message: `There is no report with the id '${req.params.id}', or it has expired; make it again.` });
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-length', file.bytes)
        .header('content-disposition', `attachment; filename="protection-report-${req.params.id}.csv"`)
        .send(createReadStream(file.path));
    },
  );

  app.get('/settings/protection-reports', { schema: { tags: ['settings'], response: { 200: ProtectionReportSettingsSchema } } }, async () => reports.settings());

  app.patch(
    '/settings/protection-reports',
    { schema: { tags: ['settings'], summary: 'Switch period collection (EnableProtectionReports) and the lifetimes', body: ProtectionReportSettingsPatchSchema, response: { 200: ProtectionReportSettingsSchema } } },
    async (req) => {
      const after = await reports.updateSettings(req.body);
      await services.audit.record({ account: req.account ?? 'unknown', address: req.ip, channel: 'json-api' }, 'settings.protection-reports', null, { ...req.body });
      return after;
    },
  );
}
