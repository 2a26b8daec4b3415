import { pino, type DestinationStream, type Logger } from 'pino';

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

export interface LoggerOptions {
  /** Human-readable lines (development in a terminal). */
  pretty?: boolean;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
  /** The `service` field of every line; `api` by default (`worker` for `npm run worker`). */
  service?: string;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const settings = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: options.service ?? 'api' },
    ...(options.pretty === true && {
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } },
    }),
  };
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}
