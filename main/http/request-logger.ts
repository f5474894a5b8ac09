import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, LogFn } from 'pino';

const call = (log: LogFn, logger: FastifyBaseLogger, args: unknown[]) => Reflect.apply(log, logger, args);

/**
 * Each request's logger (`req.log`, with its request id), made only when the request logs
 * something. Nearly no request does (request lines are off at agent scale), while making a pino
 * child runs the secret redaction over its bindings: a cost on every discovery for nothing.
 */
export class RequestLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined;
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get #logger(): FastifyBaseLogger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#logger.level = level;
  }

  // Methods on the prototype, not arrow fields: nothing but the four fields is made per request.
  fatal(...args: unknown[]): void {
    call(this.#logger.fatal, this.#logger, args);
  }
  error(...args: unknown[]): void {
    call(this.#logger.error, this.#logger, args);
  }
  warn(...args: unknown[]): void {
    call(this.#logger.warn, this.#logger, args);
  }
  info(...args: unknown[]): void {
    call(this.#logger.info, this.#logger, args);
  }
  debug(...args: unknown[]): void {
    call(this.#logger.debug, this.#logger, args);
  }
  trace(...args: unknown[]): void {
    call(this.#logger.trace, this.#logger, args);
  }
  silent(...args: unknown[]): void {
    call(this.#logger.silent, this.#logger, args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: a `RequestLogger` in place of an eager pino child. */
export const requestLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, options) => new RequestLogger(logger, bindings, options);
