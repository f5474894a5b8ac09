// A request's logger is made only when the request logs, and then logs as pino's child would:
// with the request id, redacted, at the level asked for.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import Fastify, { LogController } from 'fastify';
import { RequestLogger, requestLoggers } from '../../main/http/request-logger.ts';
import { REDACT_PATHS } from '../../main/services/logger.ts';

function capturedLogger(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  return { logger, lines, child: vi.spyOn(logger, 'child') };
}

describe('a request logger', () => {
  it('makes no pino child while the request logs nothing', () => {
    const { logger, child } = capturedLogger();
    const log = new RequestLogger(logger, { reqId: 'req-1' }, {});
    expect(log.level).toBe('info');
    expect(child).not.toHaveBeenCalled();
  });

  it('logs with the request id, and redacts secrets as the server logger does', () => {
    const { logger, lines, child } = capturedLogger();
    const log = new RequestLogger(logger, { reqId: 'req-2' }, {});
    log.error({ password: 'hunter2' }, 'request failed');
    log.warn('again');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toMatchObject([
      { reqId: 'req-2', password: '[redacted]', msg: 'request failed', level: 50 },
      { reqId: 'req-2', msg: 'again', level: 40 },
    ]);
  });

  it('keeps a route\'s own level, and below it logs nothing', () => {
    const { logger, lines } = capturedLogger('info');
    const log = new RequestLogger(logger, { reqId: 'req-3' }, { level: 'warn' });
    expect(log.level).toBe('warn');
    log.info('not this');
    log.warn('this');
    expect(lines.map((l) => l.msg)).toEqual(['this']);
  });
});

describe('the server logger that Fastify is given', () => {
  it('makes lazy children, which log with every binding down to them', () => {
    const { logger, lines, child } = capturedLogger();
    const appLog = requestLoggers(logger).child({ app: 'lk' }, {});
    const requestLog = appLog.child({ reqId: 'req-4' }, {});
    expect(child).not.toHaveBeenCalled();
    requestLog.warn({ token: 'abc' }, 'odd');
    expect(lines).toMatchObject([{ app: 'lk', reqId: 'req-4', token: '[redacted]', msg: 'odd', level: 40 }]);
  });

  it('gives a request that logs nothing no pino child, and one that logs its request id', async () => {
    const { logger, lines, child } = capturedLogger();
    const app = Fastify({ loggerInstance: requestLoggers(logger), logController: new LogController({ disableRequestLogging: true }) });
    app.get('/quiet', async () => 'ok');
    app.get('/noisy', async (req) => {
      req.log.warn('something to say');
      return 'ok';
    });
    await app.ready();
    expect((await app.inject('/quiet')).statusCode).toBe(200);
    expect(child).not.toHaveBeenCalled();
    expect((await app.inject('/noisy')).statusCode).toBe(200);
    expect(lines).toMatchObject([{ reqId: expect.stringMatching(/^req-/), msg: 'something to say', level: 40 }]);
    await app.close();
  });

  it('keeps the pino logger\'s own serializers over Fastify\'s', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const logger = pino({ serializers: { err: () => 'ours' } }, sink);
    const app = Fastify({ loggerInstance: requestLoggers(logger), logController: new LogController({ disableRequestLogging: true }) });
    app.get('/fails', async (req) => {
      req.log.error({ err: new Error('boom') }, 'failed');
      return 'ok';
    });
    await app.inject('/fails');
    expect(lines[0]).toMatchObject({ err: 'ours', msg: 'failed' });
    await app.close();
  });
});
