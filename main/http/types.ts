import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../services/integration-services.ts';
import type { AccountName } from '../contract/accounts.ts';
import type { CertificateInfo } from '../contract/certificate.ts';
import type { FirstRunSetup } from '../services/first-run-setup.ts';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export type AppOptions = {
  services: Services;
  version: string;
  /** Shown to consoles so an administrator can compare it with what the browser shows. */
  certificate?: CertificateInfo;
  /** The built Web Console; renderer/dist unless a test points elsewhere. */
  consoleDir?: string;
  /** First-run setup from the console, when the server was started to accept it. */
  firstRun?: FirstRunSetup;
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The account that passed Basic auth; undefined on public paths. */
    account?: AccountName;
  }
}
