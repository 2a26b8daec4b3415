import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import type { Principal } from '../auth/auth.service.js';
import type { FamilyAccess } from '../family/family-access.js';
import type { CreateTransactionInput, UpdateTransactionInput } from './transaction.inputs.js';
import type { TransactionRow } from './transaction.read.js';
import { TransactionReads } from './transaction.reads.js';
import { TransactionWriter } from './transaction.writer.js';

/**
 * The ledger: clients read it through `reads` (the family-scoped read layer), and every write goes
 * through TransactionWriter (validation, idempotency and balance effects each in a file of their own),
 * which changes the row and the balances it touches in one database transaction.
 */
export class TransactionService {
  readonly reads: TransactionReads;
  private readonly writer: TransactionWriter;

  constructor(deps: Deps, em: EntityManager, access: FamilyAccess) {
    this.reads = new TransactionReads(em, access);
    this.writer = new TransactionWriter(deps, em, access);
  }

  create(principal: Principal, input: CreateTransactionInput): Promise<TransactionRow> {
    return this.writer.create(principal, input);
  }

  update(id: string, input: UpdateTransactionInput): Promise<TransactionRow> {
    return this.writer.update(id, input);
  }

  /** Returns the deleted id. */
  delete(id: string): Promise<string> {
    return this.writer.delete(id);
  }
}
