import type { FastifyError } from 'fastify';
import { TaskError } from '../../services/task-engine.ts';
import type { App, AppOptions } from '../types.ts';
import { reportRoutes } from './report-routes.ts';
import { taskRoutes } from './task-routes.ts';
import { tenantRoutes } from './tenant-routes.ts';
import { sendXmlError } from './vendor-request.ts';
import { XML_CODES, XmlRequestError } from './xml-request.ts';

/**
 * The route groups of `/api/2.0/virtualization` (rest-api.md §6): tenants and VMs, protection
 * reports, tasks. Each gets the XML body parsing, the error shape and the access rules from here.
 */
export const VENDOR_ROUTE_GROUPS = [tenantRoutes, reportRoutes, taskRoutes];

/** Fastify's own refusals, answered with our codes in the vendor's error shape. */
const FASTIFY_CODES: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: XML_CODES.tooLarge, message: 'The body is larger than 1 MiB.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: XML_CODES.mediaType, message: 'Send the body as application/xml or text/xml.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: XML_CODES.malformed, message: 'The body is empty.' },
};

/** The vendor-compatible XML API: its own body parsing and errors, encapsulated in this plugin. */
export async function vendorApi(app: App, options: AppOptions) {
  // Every body reaches the routes as text; the routes that take XML parse it themselves, safely,
  // and the body-less methods accept whatever a script sends along.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error instanceof XmlRequestError) return sendXmlError(reply, error.status, error.code, error.message);
    if (error instanceof TaskError && error.code === 'SERVER_STOPPING') return sendXmlError(reply, 503, error.code, error.message);
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return sendXmlError(reply, known.status, known.code, known.message);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err: error }, 'vendor API request failed');
      return sendXmlError(reply, 500, 'INTERNAL_ERROR', `Internal error; see the server log, request ${req.id}.`);
    }
    return sendXmlError(reply, status, error.code ?? 'BAD_REQUEST', error.message);
  });

  for (const group of VENDOR_ROUTE_GROUPS) await app.register(group, { services: options.services, version: options.version });
}
