import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './types.ts';
import type { Services } from '../services/integration-services.ts';
import { xmlError } from './vendor-api/xml-error.ts';

const REALM = 'Basic realm="Lightkeeper", charset="UTF-8"';

/**
 * Basic auth on every call, in one place for every API. The vendor API documents only 403, so it
 * answers 403 for every refusal; our own APIs say 401 (with a challenge) when credentials are
 * missing or wrong, 429 while an address is throttled, and 403 when the account is out of scope.
 */
export function registerAccessHook(app: App, services: Services): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?', 1)[0]!;
    const decision = services.access.decideKnown(req.method, path, req.headers.authorization, req.ip) ?? (await services.access.decide(req.method, path, req.headers.authorization, req.ip));
    if (decision.kind === 'public') return;
    if (decision.kind === 'granted') {
      req.account = decision.account;
      return;
    }
    const retryAfter = decision.kind === 'unauthenticated' && decision.retryAfterMs ? Math.ceil(decision.retryAfterMs / 1000) : undefined;
    if (retryAfter) reply.header('retry-after', String(retryAfter));
    if (decision.kind === 'unauthenticated') {
      services.log.warn({ address: req.ip, path, throttled: retryAfter !== undefined }, 'authentication failed');
    }
    if (decision.area === 'vendor-api') {
      return reply.code(403).type('application/xml').send(xmlError('AccessDenied', 'Access to the resource is denied.'));
    }
    if (decision.kind === 'forbidden') {
      return reply.code(403).send({ statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', message: `The account '${decision.account}' may not use this part of the API.` });
    }
    if (retryAfter) {
      return reply.code(429).send({ statusCode: 429, code: 'LOGIN_THROTTLED', error: 'Too Many Requests', message: `Too many failed logins from this address; try again in ${retryAfter} s.` });
    }
    // A browser that sees the Basic challenge on a script's request opens its own login dialog
    // over the Web Console (and a headless one hangs): the console marks its requests and gets
    // the 401 without the challenge. Every other client still gets it.
    if (req.headers['x-requested-with'] !== 'XMLHttpRequest') reply.header('www-authenticate', REALM);
    return reply
      .code(401)
      .send({ statusCode: 401, code: 'UNAUTHENTICATED', error: 'Unauthorized', message: 'Missing or wrong credentials: send HTTP Basic authentication.' });
  });
}
