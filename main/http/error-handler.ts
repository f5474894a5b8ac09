import { STATUS_CODES } from 'node:http';
import type { FastifyError } from 'fastify';
import type { App } from './types.ts';
import { xmlError } from './vendor-api/xml-error.ts';

const isVendor = (url: string) => url.startsWith('/api/2.0/');

/** Fastify says only "Request body is too large"; the caller needs the limit to split its request. */
const tooLarge = (limit: number) => `Request body is too large: this route takes at most ${limit.toLocaleString('en')} bytes; send less per request.`;

/** Errors leave in one shape per API; a 5xx never shows internals, only a reference to the log. */
export function registerErrorHandling(app: App): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    const code = status >= 500 ? 'INTERNAL_ERROR' : (error.code ?? 'BAD_REQUEST');
    const message = status >= 500 ? `Internal error; see the server log, request ${req.id}.` : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? tooLarge(req.routeOptions.bodyLimit) : error.message;
    if (status >= 500) req.log.error({ err: error }, 'request failed');
    if (isVendor(req.url)) return reply.code(status).type('application/xml').send(xmlError(code, message));
    return reply.code(status).send({ statusCode: status, code, error: STATUS_CODES[status] ?? 'Error', message });
  });
  app.setNotFoundHandler((req, reply) => {
    const message = `No such resource: ${req.method} ${req.url.split('?', 1)[0]}`;
    if (isVendor(req.url)) return reply.code(404).type('application/xml').send(xmlError('NotFound', message));
    return reply.code(404).send({ statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message });
  });
}
