import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { Router, type Request, type Response } from 'express';
import { createContext } from '../../context.js';
import type { Deps } from '../../deps.js';
import { AppError, badInput, ErrorCode } from '../../shared/errors.js';
import { NO_REFRESH_COOKIE } from '../auth/refresh-cookie.js';
import { TokenScope } from '../pat/pat.entity.js';
import { TransactionKind } from '../transaction/transaction.entity.js';
import type { TransactionFilter } from '../transaction/transaction.inputs.js';
import { CSV_COLUMNS } from './export.csv.js';
import { ExportService } from './export.service.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
};

/**
 * Downloads (issue 14): `GET /export/transactions.csv` and `GET /export/family.json`. Authenticated by
 * the Authorization header only (an access token, or a personal access token with READ), never a
 * cookie, so a cross-site page cannot make a browser download someone's ledger (X1 in SECURITY.md).
 */
export function exportRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/export/transactions.csv', async (req, res, next) => {
    try {
      const exports = await exportsFor(deps, req, res);
      const records = await exports.transactionsCsv(text(req, 'familyId'), filterFrom(req));
      res.status(200);
      res.type('text/csv; charset=utf-8');
      res.attachment('transactions.csv');
      res.set('cache-control', 'no-store');
      await pipeline(Readable.from(records), stringify({ header: true, columns: [...CSV_COLUMNS] }), res);
    } catch (error) {
      fail(res, next, error);
    }
  });

  router.get('/export/family.json', async (req, res, next) => {
    try {
      const exports = await exportsFor(deps, req, res);
      const pieces = await exports.familyJson(text(req, 'familyId'), deps.clock.now());
      res.status(200);
      res.type('application/json; charset=utf-8');
      res.attachment('family.json');
      res.set('cache-control', 'no-store');
      await pipeline(Readable.from(pieces), res);
    } catch (error) {
      fail(res, next, error);
    }
  });

  return router;
}

async function exportsFor(deps: Deps, req: Request, res: Response): Promise<ExportService> {
  const context = createContext(deps, {
    record: res.locals.record,
    meta: { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') },
    authorization: req.get('authorization'),
    botKey: undefined,
    refreshCookie: NO_REFRESH_COOKIE,
  });
  const caller = await context.principal();
  if (caller.token !== undefined && !caller.token.scopes.includes(TokenScope.READ)) {
    throw new AppError(ErrorCode.FORBIDDEN, 'This access token lacks the READ scope.');
  }
  const finance = await context.finance();
  return new ExportService(deps.orm.em.fork(), finance.access);
}

/** Once the download started, an error can only cut it short; before, it answers like GraphQL would. */
function fail(res: Response, next: (error: unknown) => void, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof AppError) {
    const status = STATUS[error.code] ?? 400;
    res.status(status).json({ errors: [{ message: error.message, extensions: publicExtensions(error) }] });
    return;
  }
  next(error);
}

const publicExtensions = (error: AppError) => {
  const { http: _http, ...rest } = error.extensions;
  return rest;
};

/** A single query parameter; repeating it is an error. */
function text(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badInput(name, `Give ${name} once.`);
  return value;
}

/** A list parameter: repeated (`kinds=EXPENSE&kinds=INCOME`) or comma-separated. */
function list(req: Request, name: string): string[] | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  const values = (Array.isArray(value) ? value : [value]).filter((v) => typeof v === 'string');
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

const KINDS: Record<string, TransactionKind> = {
  EXPENSE: TransactionKind.EXPENSE,
  INCOME: TransactionKind.INCOME,
  TRANSFER: TransactionKind.TRANSFER,
};

/** The `transactions` filter, from query parameters of the same names. */
function filterFrom(req: Request): TransactionFilter {
  const kinds = list(req, 'kinds')?.map((kind) => {
    const found = KINDS[kind.toUpperCase()];
    if (found === undefined) throw badInput('kinds', 'Kinds are EXPENSE, INCOME or TRANSFER.');
    return found;
  });
  return {
    accountIds: list(req, 'accountIds'),
    categoryIds: list(req, 'categoryIds'),
    memberIds: list(req, 'memberIds'),
    kinds,
    dateFrom: text(req, 'dateFrom'),
    dateTo: text(req, 'dateTo'),
    amountMin: text(req, 'amountMin'),
    amountMax: text(req, 'amountMax'),
    noteContains: text(req, 'noteContains'),
  } as TransactionFilter;
}
