import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../shared/logger.js';

/** Filled in while a request is handled, written as one log line when it ends. */
export interface RequestRecord {
  requestId: string;
  operationName?: string;
  errorCodes?: string[];
}

declare module 'express-serve-static-core' {
  interface Locals {
    record: RequestRecord;
  }
}

const INCOMING_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * One line per request: id, operation, status, duration, error codes. Never headers or bodies, so no
 * password or token can end up in a log. A well-formed incoming X-Request-Id (e.g. from the bot) is kept.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming !== undefined && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    res.locals.record = { requestId };
    res.setHeader('x-request-id', requestId);
    // A listener and a timer per request for a line nobody keeps (LOG_LEVEL above info) is waste.
    if (!logger.isLevelEnabled('info')) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const { record } = res.locals;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const errors = record.errorCodes ?? [];
      logger.info(
        {
          requestId,
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          operationName: record.operationName,
          durationMs: Math.round(durationMs * 10) / 10,
          outcome: res.statusCode >= 400 || errors.length > 0 ? 'error' : 'ok',
          ...(errors.length > 0 && { errorCodes: errors }),
        },
        'request',
      );
    });
    next();
  };
}
