import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths never written to a log line, whatever logs them. */
const REDACT = [
  'password',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'passwordHash',
  '*.passwordHash',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'variables',
  '*.variables',
];

export function createLogger(level: string, pretty = false): Logger {
  return pino({
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: 'api' },
    ...(pretty && { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } }),
  });
}
