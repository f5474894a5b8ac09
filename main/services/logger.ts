import { join } from 'node:path';
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/**
 * Secrets never reach a log: credentials in headers, and every field that holds a password, key or
 * token, wherever it sits in a logged object (pino's paths cover two levels of nesting).
 */
const SECRET_FIELDS = ['password', 'newPassword', 'adminPassword', 'passphrase', 'privateKey', 'key', 'token', 'secret', 'dataKey', 'authorization', 'cookie'];
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...SECRET_FIELDS.map((f) => `*.*.${f}`),
];

export type LogOptions = { directory?: string; level?: string; console?: boolean };

/** JSON logs to a rotating file in the data folder (10 MB × 10 files), and optionally to stderr. */
export function createLogger(options: LogOptions): Logger {
  const targets: pino.TransportTargetOptions[] = [];
  if (options.directory) {
    targets.push({
      target: 'pino-roll',
      level: options.level ?? 'info',
      options: { file: join(options.directory, 'lightkeeper'), extension: '.log', size: '10m', limit: { count: 10 }, mkdir: true },
    });
  }
  if (options.console) targets.push({ target: 'pino/file', level: options.level ?? 'info', options: { destination: 2 } });
  const base = { level: options.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (targets.length === 0) return pino({ ...base, enabled: false });
  return pino(base, pino.transport({ targets }));
}
