import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/graphql/error-masking.js';

/** What the driver and MikroORM throw, as they wrap it: the original error's fields are copied over. */
const wrapped = (message: string, fields: Record<string, unknown> = {}) =>
  new DriverException(Object.assign(new Error(message), fields));

describe('isDatabaseUnavailable: a lost database is SERVICE_UNAVAILABLE, a bad statement is not', () => {
  it.each([
    ['a refused connection', wrapped('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' })],
    [
      'a server shutting down',
      wrapped('terminating connection due to administrator command', { code: '57P01' }),
    ],
    ['a connection cut mid-query', wrapped('insert into x values (1) - Connection terminated unexpectedly')],
    [
      'the next statement of a transaction whose connection dropped',
      wrapped('select 1 - Client has encountered a connection error and is not queryable'),
    ],
    ['a pool that cannot hand out a connection', wrapped('timeout exceeded when trying to connect')],
  ])('%s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    [
      'a unique violation',
      new UniqueConstraintViolationException(Object.assign(new Error('duplicate key'), { code: '23505' })),
    ],
    ['a syntax error', wrapped('select fro - syntax error at or near "fro"', { code: '42601' })],
    ['an error of our own', new Error('Transaction not found')],
  ])('%s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
