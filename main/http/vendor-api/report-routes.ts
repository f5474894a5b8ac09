import { createReadStream } from 'node:fs';
import type { FastifyReply } from 'fastify';
import parseRange from 'range-parser';
import { TENANT_CODES } from '../../contract/tenants.ts';
import { UnknownTenantError } from '../../services/protection-reports.ts';
import type { App, AppOptions } from '../types.ts';
import { queryParam, sendXml, sendXmlError, vendorActor } from './vendor-request.ts';
import { fromVendorTime } from './vendor-time.ts';
import { taskXml } from './xml-views.ts';

export const REPORT_CODES = {
  invalidValue: 'LK_InvalidParameterValue',
  notFound: 'LK_ReportWithSpecifiedIdNotFound',
  notAcceptable: 'LK_OnlyCsvIsSupported',
  rangeNotSatisfiable: 'LK_RangeNotSatisfiable',
} as const;

const CSV_TYPE = 'application/csv';

/** Only CSV exists (rest-api.md §4.2); a client that does not ask for it gets 415, as the vendor documents. */
const acceptsCsv = (accept: string | undefined) => accept !== undefined && /(^|,)\s*application\/csv\s*(;|,|$)/i.test(accept);

/** Rows 10 and 11 of rest-api.md §6: generate a tenant protection report, and download it. */
export async function reportRoutes(app: App, { services }: AppOptions) {
  const reports = services.protectionReports;

  app.post('/reports/tenants', async (req, reply) => {
    const raw = { tenantId: queryParam(req, 'tenantId'), from: queryParam(req, 'from'), to: queryParam(req, 'to') };
    for (const [name, value] of Object.entries(raw)) {
      if (typeof value === 'object') return sendXmlError(reply, 400, REPORT_CODES.invalidValue, `Give ${name} at most once.`);
    }
    const times: Record<'from' | 'to', number | undefined> = { from: undefined, to: undefined };
    for (const name of ['from', 'to'] as const) {
      const text = raw[name] as string | undefined;
      if (text === undefined || text === '') continue;
      const iso = fromVendorTime(text);
      if (!iso) return sendXmlError(reply, 400, REPORT_CODES.invalidValue, `${name} must be a date and time YYYY-MM-DDThh:mm:ss (UTC).`);
      times[name] = Date.parse(iso);
    }
    if (times.from !== undefined && times.to !== undefined && times.from >= times.to) {
      return sendXmlError(reply, 400, REPORT_CODES.invalidValue, 'from must be earlier than to.');
    }
    const tenantId = (raw.tenantId as string | undefined) || null;
    try {
      const actor = vendorActor(req);
      const task = await reports.generate({ tenantId, ...(times.from !== undefined ? { from: times.from } : {}), ...(times.to !== undefined ? { to: times.to } : {}) }, actor.account);
      await services.audit.record(actor, 'report.create', tenantId, { from: raw.from ?? null, to: raw.to ?? null }, task.id);
      return sendXml(reply.header('location', `/api/2.0/virtualization/tasks/${task.id}`), 202, taskXml(task));
    } catch (e) {
      if (e instanceof UnknownTenantError) return sendXmlError(reply, 404, TENANT_CODES.tenantNotFound, e.message);
      throw e;
    }
  });

  app.get<{ Params: { reportId: string } }>('/reports/tenants/:reportId', async (req, reply) => {
    if (!acceptsCsv(req.headers.accept)) {
      return sendXmlError(reply, 415, REPORT_CODES.notAcceptable, 'Reports are CSV only: send Accept: application/csv.');
    }
    const file = await reports.reportFile(req.params.reportId);
    if (!file) return sendXmlError(reply, 404, REPORT_CODES.notFound, `There is no report with the id '${req.params.reportId}', or it has expired.`);
    return sendFile(reply, file, req.headers.range);
  });
}

/** The whole file (200), or one byte range of it (206); RFC 7233's `Content-Range: bytes a-b/size`. */
function sendFile(reply: FastifyReply, file: { path: string; bytes: number }, rangeHeader: string | undefined) {
  reply.header('accept-ranges', 'bytes').type(CSV_TYPE);
  const ranges = rangeHeader ? parseRange(file.bytes, rangeHeader, { combine: true }) : -2;
  if (ranges === -1) {
    return sendXmlError(reply.header('content-range', `bytes */${file.bytes}`), 416, REPORT_CODES.rangeNotSatisfiable, `The report has ${file.bytes} bytes; the requested range lies outside it.`);
  }
  // A malformed header, or several ranges, gets the whole file: RFC 7233 lets a server ignore Range.
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) {
    return reply.code(200).header('content-length', file.bytes).send(createReadStream(file.path));
  }
  const { start, end } = ranges[0]!;
  return reply
    .code(206)
    .header('content-range', `bytes ${start}-${end}/${file.bytes}`)
    .header('content-length', end - start + 1)
    .send(createReadStream(file.path, { start, end }));
}
