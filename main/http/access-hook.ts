import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { AccessDecision } from '../services/access-control.ts';
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
  // Declared up front, every request object has the same shape; set only in the hook, the property
  // would change it on each authenticated request, and slow every property access after.
  app.decorateRequest('account', undefined);
  // A callback hook, not an async one: a running fleet's credentials are known, and their requests
  // then pass without a promise and a turn of the microtask queue on every call.
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const query = req.url.indexOf('?');
    const path = query < 0 ? req.url : req.url.slice(0, query);
    const known = services.access.decideKnown(req.method, path, req.headers.authorization, req.ip);
    if (known) return apply(known, req, reply, path, done);
    services.access.decide(req.method, path, req.headers.authorization, req.ip).then(
      (decision) => apply(decision, req, reply, path, done),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  });

  function apply(decision: AccessDecision, req: FastifyRequest, reply: FastifyReply, path: string, done: HookHandlerDoneFunction): void {
    if (decision.kind === 'public') return done();
    if (decision.kind === 'granted') {
      req.account = decision.account;
      return done();
    }
    refuse(decision, req, reply, path);
  }

  function refuse(decision: Exclude<AccessDecision, { kind: 'public' | 'granted' }>, req: FastifyRequest, reply: FastifyReply, path: string): void {
    const retryAfter = decision.kind === 'unauthenticated' && decision.retryAfterMs ? Math.ceil(decision.retryAfterMs / 1000) : undefined;
    if (retryAfter) reply.header('retry-after', String(retryAfter));
    if (decision.kind === 'unauthenticated') {
      services.log.warn({ address: req.ip, path, throttled: retryAfter !== undefined }, 'authentication failed');
    }
    if (decision.area === 'vendor-api') {
      reply.code(403).type('application/xml').send(xmlError('AccessDenied', 'Access to the resource is denied.'));
      return;
    }
    if (decision.kind === 'forbidden') {
      reply.code(403).send({ statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', message: `The account '${decision.account}' may not use this part of the API.` });
      return;
    }
    if (retryAfter) {
      reply.code(429).send({ statusCode: 429, code: 'LOGIN_THROTTLED', error: 'Too Many Requests', message: `Too many failed logins from this address; try again in ${retryAfter} s.` });
      return;
    }
    // A browser that sees the Basic challenge on a script's request opens its own login dialog
    // over the Web Console (and a headless one hangs): the console marks its requests and gets
    // the 401 without the challenge. Every other client still gets it.
    if (req.headers['x-requested-with'] !== 'XMLHttpRequest') reply.header('www-authenticate', REALM);
    reply.code(401).send({ statusCode: 401, code: 'UNAUTHENTICATED', error: 'Unauthorized', message: 'Missing or wrong credentials: send HTTP Basic authentication.' });
  }
}
