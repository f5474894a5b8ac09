// A request's logger is made only when the request logs, and then logs as pino's child would:
// with the request id, redacted, at the level asked for.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { RequestLogger } from '../../main/http/request-logger.ts';
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
