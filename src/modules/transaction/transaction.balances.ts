import type { LedgerTransaction } from './transaction.entity.js';
import { TransactionKind } from './transaction.entity.js';
import type { Resolved } from './transaction.validation.js';

/** Signed minor units per account id. */
export type BalanceDeltas = Map<string, bigint>;

/** How a transaction moves balances: account id -> signed minor units. */
export function balanceEffects(
  tx: Pick<Resolved, 'kind' | 'amount' | 'account' | 'toAccount' | 'toAmount'>,
): BalanceDeltas {
  const effects = new Map<string, bigint>();
  const add = (account: string, delta: bigint) => effects.set(account, (effects.get(account) ?? 0n) + delta);
  if (tx.kind === TransactionKind.INCOME) add(tx.account, tx.amount);
  else add(tx.account, -tx.amount);
  if (tx.kind === TransactionKind.TRANSFER) add(tx.toAccount!, tx.toAmount!);
  return effects;
}

/** The effects of a recorded transaction. */
export const effectsOf = (tx: LedgerTransaction): BalanceDeltas =>
  balanceEffects({
    kind: tx.kind,
    amount: tx.amount,
    account: tx.account.id,
    toAccount: tx.toAccount?.id ?? null,
    toAmount: tx.toAmount,
  });

/** What moving from `before` to `after` does to balances (a delete: `after` empty). */
export function difference(before: BalanceDeltas, after: BalanceDeltas = new Map()): BalanceDeltas {
  const deltas = new Map<string, bigint>();
  for (const [account, delta] of before) deltas.set(account, -delta);
  for (const [account, delta] of after) deltas.set(account, (deltas.get(account) ?? 0n) + delta);
  return deltas;
}

/**
 * CTE bodies that move balances by `deltas` within the statement that records a transaction, once
 * `inserted` (a CTE of that statement) produced its row: `locked` takes the account rows in id order
 * before any is updated, so two transfers in opposite directions cannot deadlock; `moved` returns each
 * new balance.
 */
export function balanceMoves(deltas: BalanceDeltas): { sql: string; params: string[] } {
  const entries = [...deltas].filter(([, delta]) => delta !== 0n).sort(([a], [b]) => (a < b ? -1 : 1));
  const rows = entries.map(() => '(?::uuid, ?::bigint)').join(', ');
  return {
    sql: `deltas (account_id, delta) as (
            select d.* from (values ${rows}) d (account_id, delta) where exists (select from inserted)
          ), locked as materialized (
            select a.id from account a where a.id in (select account_id from deltas) order by a.id for update
          ), moved as (
            update account a set balance = a.balance + d.delta
              from deltas d
             where a.id = d.account_id and (select count(*) from locked) > 0
            returning a.id, a.balance::text as balance
          )`,
    params: entries.flatMap(([account, delta]) => [account, delta.toString()]),
  };
}
