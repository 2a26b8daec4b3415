import type { LogContext } from '@mikro-orm/core';
import type { Orm } from '../../src/db/orm.js';

export interface Statement {
  sql: string;
  params: readonly unknown[];
}

/**
 * Records every SQL statement an ORM sends (selects, writes, begin/commit): MikroORM reports each one to
 * its logger's `logQuery`, whether or not query logging is switched on, so the recorder listens there.
 */
export class StatementRecorder {
  private recording: Statement[] | undefined;

  constructor(orm: Orm) {
    const logger = orm.config.getLogger();
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (context: LogContext) => {
      this.recording?.push({ sql: context.query ?? '', params: context.params ?? [] });
      original(context);
    };
  }

  /** Runs `work` and returns what it ran on the database. Not reentrant: one recording at a time. */
  async record<T>(work: () => Promise<T>): Promise<{ result: T; statements: Statement[] }> {
    this.recording = [];
    try {
      const result = await work();
      return { result, statements: this.recording };
    } finally {
      this.recording = undefined;
    }
  }
}
