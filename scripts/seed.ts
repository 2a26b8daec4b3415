/**
 * `npm run seed`: fills a running API with a demo family, through its public GraphQL API, so Sandbox
 * users see something real. Idempotent: every step checks what exists (entries carry idempotency keys),
 * so a second run, or a run after an interrupted one, finishes the job without duplicating anything.
 *
 *   npm start            # terminal 1
 *   npm run seed         # terminal 2 (SEED_API_URL, default http://127.0.0.1:4000/graphql)
 *
 * The demo addresses are confirmed like anyone's: through the link in the confirmation mail, which the
 * embedded start (no SMTP_URL) writes to DATA_DIR/mail, where this script reads it.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';

const API = process.env.SEED_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 4000}/graphql`;
const MAIL_DIR = path.join(process.env.DATA_DIR ?? '.data', 'mail');
const OWNER = {
  email: 'demo@example.com',
  password: 'demo family finance',
  firstName: 'Alex',
  lastName: 'Demo',
};
const PARTNER = {
  email: 'sam.demo@example.com',
  password: 'demo family finance',
  firstName: 'Sam',
  lastName: 'Demo',
};

interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await fetch(API, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResponse<T>;
  if (body.errors?.length) {
    throw Object.assign(new Error(body.errors[0]!.message), { code: body.errors[0]!.extensions?.code });
  }
  return body.data!;
}

const AUTH = 'accessToken user { id }';

async function signIn(user: typeof OWNER): Promise<{ token: string; id: string } | null> {
  try {
    const { login } = await gql<{ login: { accessToken: string; user: { id: string } } }>(
      `mutation($input: LoginInput!) { login(input: $input) { ${AUTH} } }`,
      { input: { email: user.email, password: user.password } },
    );
    return { token: login.accessToken, id: login.user.id };
  } catch (error) {
    if ((error as { code?: string }).code === 'INVALID_CREDENTIALS') return null;
    if ((error as { code?: string }).code === 'EMAIL_NOT_VERIFIED') {
      // An earlier run registered the user but could not confirm the address: ask for a new link.
      const before = await mailFiles();
      await gql('mutation($email: String!) { requestEmailVerification(email: $email) }', {
        email: user.email,
      });
      await confirmFromMailFolder(user.email, before);
      return signIn(user);
    }
    throw error;
  }
}

const mailFiles = async (): Promise<Set<string>> =>
  new Set((await readdir(MAIL_DIR).catch(() => [] as string[])).filter((f) => f.endsWith('.eml')));

/**
 * Confirms an address with the link of a mail to it that arrived in DATA_DIR/mail after `before` (the
 * mail is written just after the request answered: it waits a little for it).
 */
async function confirmFromMailFolder(email: string, before: Set<string>): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    for (const file of [...(await mailFiles())].filter((f) => !before.has(f))) {
      const mail = await simpleParser(await readFile(path.join(MAIL_DIR, file)));
      const to = Array.isArray(mail.to) ? mail.to : [mail.to];
      if (!to.some((address) => address?.value.some((a) => a.address === email))) continue;
      const token = /\/verify#token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
      if (token === undefined) continue;
      await gql('mutation($token: String!) { verifyEmail(token: $token) }', { token });
      return;
    }
    await sleep(100);
  }
  throw new Error(
    `No confirmation mail for ${email} in ${MAIL_DIR}. With SMTP_URL set, open the link from the mail, ` +
      'or run the seed against the embedded start (npm start without SMTP_URL).',
  );
}

async function register(user: typeof OWNER): Promise<{ token: string; id: string }> {
  const before = await mailFiles();
  const { register } = await gql<{ register: { accessToken: string; user: { id: string } } }>(
    `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH} } }`,
    { input: user },
  );
  await confirmFromMailFolder(user.email, before);
  return { token: register.accessToken, id: register.user.id };
}

/** A small deterministic PRNG, so every seed run tells the same story. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const GOAL = 'Summer holiday';
const iso = (d: Date) => d.toISOString().slice(0, 10);
const daysAgo = (days: number) => new Date(Date.now() - days * 86400_000);
/** Up to `max` units with cents, from the PRNG. */
const cents = (rnd: () => number, max: number) => Math.round(rnd() * max * 100) / 100;

async function main(): Promise<void> {
  const owner = (await signIn(OWNER)) ?? (await register(OWNER));
  const partner = (await signIn(PARTNER)) ?? (await register(PARTNER));
  const t = owner.token;
  const { goals } = await gql<{ goals: { goal: { name: string } }[] }>('{ goals { goal { name } } }', {}, t);
  if (goals.some((g) => g.goal.name === GOAL)) {
    console.log(`Already seeded: sign in as ${OWNER.email} / "${OWNER.password}".`);
    return;
  }
  const { me } = await gql<{ me: { defaultFamily: { id: string } } }>(
    '{ me { defaultFamily { id } } }',
    {},
    t,
  );
  const familyId = me.defaultFamily.id;
  await gql(
    `mutation($id: ID!) {
      updateFamily(id: $id, input: { name: "The Demo Family", monthStartDay: 25, timeZone: "Europe/Berlin" }) { id }
    }`,
    { id: familyId },
    t,
  );
  const { family } = await gql<{ family: { members: { user: { id: string } }[] } }>(
    `query($id: ID!) { family(id: $id) { members { user { id } } } }`,
    { id: familyId },
    t,
  );
  if (!family.members.some((m) => m.user.id === partner.id)) {
    const { createInvite } = await gql<{ createInvite: { code: string } }>(
      `mutation($id: ID!) { createInvite(input: { familyId: $id, role: ADMIN }) { code } }`,
      { id: familyId },
      t,
    );
    await gql(
      `mutation($code: String!) { joinFamily(code: $code) { id } }`,
      { code: createInvite.code },
      partner.token,
    );
  }

  const existing = (
    await gql<{ accounts: { id: string; name: string }[] }>('{ accounts { id name } }', {}, t)
  ).accounts;
  const account = async (name: string, type: string, currency: string, openingBalance: string) =>
    existing.find((a) => a.name === name)?.id ??
    (
      await gql<{ createAccount: { id: string } }>(
        `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }`,
        { input: { familyId, name, type, currency, openingBalance } },
        t,
      )
    ).createAccount.id;
  const checking = await account('Joint checking', 'CHECKING', 'EUR', '2400.00');
  const savings = await account('Savings', 'SAVINGS', 'EUR', '5000.00');
  const dollars = await account('US card', 'CREDIT_CARD', 'USD', '0.00');
  const cash = existing.find((a) => a.name === 'Cash')!.id;

  const { categories } = await gql<{ categories: { id: string; name: string }[] }>(
    '{ categories { id name } }',
    {},
    t,
  );
  const category = (name: string) => categories.find((c) => c.name === name)!.id;
  await gql(
    `mutation($input: SetExchangeRateInput!) { setExchangeRate(input: $input) { id } }`,
    { input: { familyId, base: 'USD', quote: 'EUR', rate: '0.92', date: iso(daysAgo(200)) } },
    t,
  );

  // Six months of a two-earner household; idempotency keys make a rerun record nothing twice.
  const rnd = random(42);
  const entries: Record<string, unknown>[] = [];
  const add = (
    day: Date,
    kind: string,
    amount: number,
    accountId: string,
    name: string,
    note: string,
    payer: string,
  ) =>
    entries.push({
      kind,
      amount: amount.toFixed(2),
      accountId,
      categoryId: category(name),
      occurredOn: iso(day),
      note,
      paidById: payer,
      idempotencyKey: `seed:${entries.length}`,
    });
  for (let back = 180; back >= 0; back--) {
    const day = daysAgo(back);
    const payer = rnd() < 0.5 ? owner.id : partner.id;
    if (day.getUTCDate() === 25) {
      add(day, 'INCOME', 3200, checking, 'Salary', 'Salary', owner.id);
      add(day, 'INCOME', 2700, checking, 'Salary', 'Salary', partner.id);
    }
    if (day.getUTCDate() === 1) add(day, 'EXPENSE', 1150, checking, 'Housing', 'Rent', owner.id);
    if (day.getUTCDate() === 5)
      add(day, 'EXPENSE', 60 + cents(rnd, 40), checking, 'Utilities', 'Electricity', partner.id);
    if (day.getUTCDay() === 6)
      add(day, 'EXPENSE', 70 + cents(rnd, 50), checking, 'Groceries', 'Weekly shop', payer);
    if (rnd() < 0.25) add(day, 'EXPENSE', 3 + cents(rnd, 30), cash, 'Eating out', 'Lunch', payer);
    if (rnd() < 0.12) add(day, 'EXPENSE', 40 + cents(rnd, 30), checking, 'Fuel', 'Petrol', payer);
    if (rnd() < 0.05) add(day, 'EXPENSE', 10 + cents(rnd, 90), dollars, 'Shopping', 'Online order', payer);
  }
  entries.push({
    kind: 'TRANSFER',
    amount: '300.00',
    accountId: checking,
    toAccountId: savings,
    note: 'Monthly saving',
    idempotencyKey: 'seed:transfer',
  });
  for (const input of entries) {
    await gql(
      `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`,
      { input },
      t,
    );
  }

  const { budgets } = await gql<{ budgets: { budget: { category: { name: string } | null } }[] }>(
    '{ budgets { budget { category { name } } } }',
    {},
    t,
  );
  for (const [name, amount] of [
    ['Food', '600.00'],
    ['Transport', '150.00'],
    ['Entertainment', '80.00'],
  ] as const) {
    if (budgets.some((b) => b.budget.category?.name === name)) continue;
    await gql(
      `mutation($input: CreateBudgetInput!) { createBudget(input: $input) { budget { id } } }`,
      { input: { familyId, categoryId: category(name), amount, rollover: name === 'Food' } },
      t,
    );
  }
  const { createGoal } = await gql<{ createGoal: { goal: { id: string } } }>(
    `mutation($input: CreateGoalInput!) { createGoal(input: $input) { goal { id } } }`,
    { input: { familyId, name: GOAL, target: '3000.00', deadline: iso(daysAgo(-240)) } },
    t,
  );
  for (const amount of ['250.00', '250.00', '400.00']) {
    await gql(
      `mutation($input: ContributeToGoalInput!) { contributeToGoal(input: $input) { saved { amount } } }`,
      { input: { goalId: createGoal.goal.id, amount } },
      t,
    );
  }
  console.log(
    `Seeded "The Demo Family": ${entries.length} transactions over 6 months, 4 accounts (EUR and USD), ` +
      `3 budgets, a goal. Sign in as ${OWNER.email} or ${PARTNER.email}, password "${OWNER.password}".`,
  );
}

main().catch((error: unknown) => {
  console.error(
    `Seeding failed: ${error instanceof Error ? error.message : String(error)} (is the API running at ${API}?)`,
  );
  process.exit(1);
});
