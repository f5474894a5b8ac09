import type { FastifyBaseLogger } from 'fastify';
import { pino, type Bindings, type ChildLoggerOptions, type LogFn } from 'pino';

const call = (log: LogFn, logger: FastifyBaseLogger, args: unknown[]) => Reflect.apply(log, logger, args);

/**
 * A logger whose pino child is made only when it logs something. Fastify makes one child per
 * request (`req.log`, with its request id); nearly no request logs (request lines are off at agent
 * scale), while making a pino child runs the secret redaction over its bindings: a cost on every
 * discovery for nothing. Its own children are lazy in turn, so the server's logger is one of these
 * (`requestLoggers`) and Fastify's default child factory makes them: a factory of our own would
 * have Fastify check every child it returns for its seven methods, on every request.
 */
export class RequestLogger implements FastifyBaseLogger {
  // Plain fields, not #private ones: those are keyed stores, and this is made on every request.
  private pinoChild: FastifyBaseLogger | undefined;
  private readonly parent: FastifyBaseLogger;
  private readonly bindings: Bindings;
  private readonly options: ChildLoggerOptions;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.pinoChild = undefined;
    this.parent = parent;
    this.bindings = bindings;
    this.options = options;
  }

  /** The pino child, made on first use from the parent's own (a lazy parent's `child` would be lazy again). */
  private get logger(): FastifyBaseLogger {
    return (this.pinoChild ??= (this.parent instanceof RequestLogger ? this.parent.logger : this.parent).child(this.bindings, this.options));
  }

  get level(): string {
    return this.pinoChild?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  // Methods on the prototype, not arrow fields: nothing but the four fields is made per request.
  fatal(...args: unknown[]): void {
    call(this.logger.fatal, this.logger, args);
  }
  error(...args: unknown[]): void {
    call(this.logger.error, this.logger, args);
  }
  warn(...args: unknown[]): void {
    call(this.logger.warn, this.logger, args);
  }
  info(...args: unknown[]): void {
    call(this.logger.info, this.logger, args);
  }
  debug(...args: unknown[]): void {
    call(this.logger.debug, this.logger, args);
  }
  trace(...args: unknown[]): void {
    call(this.logger.trace, this.logger, args);
  }
  silent(...args: unknown[]): void {
    call(this.logger.silent, this.logger, args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return new RequestLogger(this, bindings, options ?? {});
  }
}

/**
 * The server's logger as Fastify's `loggerInstance`: `log` (through one child without bindings) for
 * what it logs, lazy children for its requests. Fastify reads the pino logger's serializers from it
 * to keep them over its own.
 */
export function requestLoggers(log: pino.Logger): FastifyBaseLogger {
  const root = new RequestLogger(log, {}, {});
  Object.defineProperty(root, pino.symbols.serializersSym, { value: Reflect.get(log, pino.symbols.serializersSym) });
  return root;
}
