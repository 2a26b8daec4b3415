/**
 * The hand-written SQL the baselines run: for each read, the best single statement that gives the same
 * answer as the app, tenancy included ($1 is always the caller's user id; the family is the caller's
 * default family, and only while the caller is a member of it).
 */

/** The caller's default family, if they are a member of it. */
const CALLER_FAMILY = `
  select u.default_family_id as id
    from app_user u
    join membership m on m.user_id = u.id and m.family_id = u.default_family_id
   where u.id = $1`;

export interface AccountRow {
  id: string;
  name: string;
  type: string;
  currency: string;
  archived: boolean;
  balance: string;
}

/** (a) The family's active accounts with balances, in the app's order. */
export const ACCOUNTS = `
  select a.id, a.name, a.type, a.currency, a.archived, a.balance::text as balance
    from account a
   where a.family_id = (${CALLER_FAMILY}) and not a.archived
   order by a.name, a.id`;

export interface TransactionRow {
  id: string;
  kind: string;
  occurred_on: string;
  amount: string;
  currency: string;
  note: string | null;
  seq: string;
  account_id: string;
  account_name: string;
  category_id: string | null;
  category_name: string | null;
  user_id: string;
  first_name: string;
}

/** (b) The newest $2 transactions with their account, category and creator: one JOIN. */
export const NEWEST_TRANSACTIONS = `
  select t.id, t.kind, t.occurred_on::text as occurred_on, t.amount::text as amount, t.currency, t.note,
         t.seq::text as seq, a.id as account_id, a.name as account_name, c.id as category_id,
         c.name as category_name, u.id as user_id, u.first_name
    from ledger_transaction t
    join account a on a.id = t.account_id
    left join category c on c.id = t.category_id
    join app_user u on u.id = t.created_by_id
   where t.family_id = (${CALLER_FAMILY})
   order by t.occurred_on desc, t.seq desc
   limit $2`;

/** A page of the family's ledger rows (no relations) after the keyset cursor ($2 date, $3 seq). */
export const TRANSACTION_PAGE = `
  select t.id, t.seq::text as seq, t.kind, t.occurred_on::text as occurred_on, t.amount::text as amount,
         t.currency, t.account_id, t.to_account_id, t.to_amount::text as to_amount, t.to_currency,
         t.category_id, t.note, t.tags, t.created_by_id, t.paid_by_id, t.created_at, t.updated_at
    from ledger_transaction t
   where t.family_id = (${CALLER_FAMILY}) and (t.occurred_on, t.seq) < ($2::date, $3::bigint)
   order by t.occurred_on desc, t.seq desc
   limit $4`;

/** The same without a cursor: the first page. */
export const TRANSACTION_FIRST_PAGE = TRANSACTION_PAGE.replace(
  ' and (t.occurred_on, t.seq) < ($2::date, $3::bigint)',
  '',
).replace('limit $4', 'limit $2');

export interface SpendingRow {
  category_id: string | null;
  name: string | null;
  spent: string;
  budget: string | null;
  base_currency: string;
}

/**
 * (c) Spending per top-level category between $2 and $3 (inclusive) with each category's active budget,
 * largest first. One currency: the family's base currency (the seeded families have no other).
 */
export const SPENDING_BY_CATEGORY = `
  with family as (
    select f.id, f.base_currency from family f where f.id = (${CALLER_FAMILY})
  ), spent as (
    select coalesce(c.parent_id, c.id) as category_id, sum(t.amount) as spent
      from ledger_transaction t
      left join category c on c.id = t.category_id
     where t.family_id = (select id from family) and t.kind = 'expense' and t.occurred_on between $2 and $3
     group by 1
  )
  select s.category_id, cat.name, s.spent::text as spent, b.amount::text as budget, f.base_currency
    from spent s
   cross join family f
    left join category cat on cat.id = s.category_id
    left join budget b on b.family_id = f.id and b.category_id = s.category_id and not b.archived
   order by s.spent desc`;

export interface CreatedRow {
  id: string;
  kind: string;
  occurred_on: string;
  amount: string;
  currency: string;
  account_id: string;
  balance: string;
  account_currency: string;
}

/**
 * (e) Records an expense and moves the balance, atomically, in one statement: the account must be in a
 * family where the caller may write, the category an expense category of that family.
 * $1 user, $2 account, $3 category, $4 minor units, $5 idempotency key, $6 day.
 */
export const CREATE_EXPENSE = `
  with target as (
    select a.id, a.family_id, a.currency
      from account a
      join membership m on m.family_id = a.family_id and m.user_id = $1 and m.role <> 'viewer'
     where a.id = $2
  ), inserted as (
    insert into ledger_transaction
      (id, family_id, kind, occurred_on, amount, currency, account_id, category_id, created_by_id, paid_by_id,
       idempotency_key, created_at, updated_at)
    select gen_random_uuid(), t.family_id, 'expense', $6::date, $4::bigint, t.currency, t.id, c.id, $1, $1, $5,
           now(), now()
      from target t
      join category c on c.id = $3 and c.family_id = t.family_id and c.kind = 'expense'
    returning id, kind, occurred_on, amount, currency, account_id
  ), moved as (
    update account set balance = balance - (select amount from inserted)
     where id = (select account_id from inserted)
    returning id, balance, currency
  )
  select i.id, i.kind, i.occurred_on::text as occurred_on, i.amount::text as amount, i.currency,
         m.id as account_id, m.balance::text as balance, m.currency as account_currency
    from inserted i, moved m`;
