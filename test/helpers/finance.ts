import { expect, vi } from 'vitest';
import { fromFreshClient, type GqlResult, type TestApp } from './app.js';
import { registerUser } from './auth.js';

/** A registered user, as the finance tests call the API. */
export interface Member {
  token: string;
  userId: string;
}

/** A fresh user with their personal family, its Cash account and its categories by name. */
export interface TestFamily extends Member {
  familyId: string;
  cashId: string;
  category(name: string): string;
}

/** What some test files check beyond the common part (each a check those files have always made). */
export interface FinanceHelperOptions {
  /** `expectBadInput` also asserts that the BAD_USER_INPUT error is the only error. */
  badInputAlone?: boolean;
  /** `expectBadInput` also asserts that no data came back. */
  badInputWithoutData?: boolean;
  /**
   * `newFamily` also asserts that the new user has exactly one family whose Cash account is in EUR, and
   * `addMember` that the member joined that family.
   */
  checkSetup?: boolean;
}

export interface FinanceHelpers {
  /** Asserts that the call succeeded and returns its data; on failure, prints the app's log lines of it. */
  ok<T>(result: GqlResult<T>): T;
  /** Asserts a BAD_USER_INPUT error naming `field`. */
  expectBadInput(result: GqlResult<unknown>, field: string): void;
  /** A fresh user, each from a client address of its own, so the register limit never interferes. */
  newUser(): Promise<Member>;
  /** A fresh user with their personal family, optionally with another month start day / time zone. */
  newFamily(settings?: { monthStartDay?: number; timeZone?: string }): Promise<TestFamily>;
  /** Invites a new user into the family as a member. */
  addMember(family: TestFamily): Promise<Member>;
}

/**
 * The helpers of the finance tests, for the app `getApp()` returns when they are called (a file's app is
 * started in its beforeAll). `newUser` sends X-Forwarded-For: start the app with TRUSTED_LOOPBACK.
 */
export function financeHelpers(getApp: () => TestApp, options: FinanceHelperOptions = {}): FinanceHelpers {
  function ok<T>(result: GqlResult<T>): T {
    const requestId = result.errors?.[0]?.extensions?.requestId;
    const logged = getApp().logs.filter((line) => requestId !== undefined && line.requestId === requestId);
    expect(result.errors, `${result.text}\n${JSON.stringify(logged)}`).toBeUndefined();
    expect(result.data, result.text).toBeTruthy();
    return result.data as T;
  }

  function expectBadInput(result: GqlResult<unknown>, field: string): void {
    if (options.badInputAlone) expect(result.errors, result.text).toHaveLength(1);
    expect(result.errors?.[0]?.extensions?.code, result.text).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.field, result.text).toBe(field);
    if (options.badInputWithoutData) expect(result.data ?? null, result.text).toBeNull();
  }

  async function newUser(): Promise<Member> {
    const user = await registerUser(getApp(), {}, fromFreshClient());
    return { token: user.accessToken, userId: user.user.id };
  }

  async function newFamily(
    settings: { monthStartDay?: number; timeZone?: string } = {},
  ): Promise<TestFamily> {
    const app = getApp();
    const user = await newUser();
    const data = ok(
      await app.gql<{
        families: { id: string }[];
        accounts: { id: string; name: string; currency: string }[];
        categories: { id: string; name: string }[];
      }>(
        `query { families { id } accounts { id name currency } categories { id name } }`,
        {},
        { token: user.token },
      ),
    );
    if (options.checkSetup) expect(data.families).toHaveLength(1);
    const familyId = data.families[0]!.id;
    const cash = data.accounts.find((a) => a.name === 'Cash')!;
    if (options.checkSetup) expect(cash.currency).toBe('EUR');
    if (Object.keys(settings).length > 0) {
      const updated = ok(
        await app.gql<{ updateFamily: { monthStartDay: number; timeZone: string } }>(
          `mutation($id: ID!, $input: UpdateFamilyInput!) {
             updateFamily(id: $id, input: $input) { monthStartDay timeZone }
           }`,
          { id: familyId, input: settings },
          { token: user.token },
        ),
      );
      expect(updated.updateFamily).toMatchObject(settings);
    }
    const categories = new Map(data.categories.map((c) => [c.name, c.id]));
    return {
      ...user,
      familyId,
      cashId: cash.id,
      category(name) {
        const id = categories.get(name);
        if (id === undefined) throw new Error(`no category ${name}`);
        return id;
      },
    };
  }

  async function addMember(family: TestFamily): Promise<Member> {
    const app = getApp();
    const invite = ok(
      await app.gql<{ createInvite: { code: string } }>(
        `mutation($input: CreateInviteInput!) { createInvite(input: $input) { code } }`,
        { input: { familyId: family.familyId } },
        { token: family.token },
      ),
    );
    const member = await newUser();
    const joined = ok(
      await app.gql<{ joinFamily: { id: string } }>(
        `mutation($code: String!) { joinFamily(code: $code) { id } }`,
        { code: invite.createInvite.code },
        { token: member.token },
      ),
    );
    if (options.checkSetup) expect(joined.joinFamily.id).toBe(family.familyId);
    return member;
  }

  return { ok, expectBadInput, newUser, newFamily, addMember };
}

/**
 * Waits until no budget-alert check of the family is pending (the API processes evaluate them after
 * commit): its alerts are then final. Polls until `timeoutMs`, then fails.
 */
export async function budgetAlertsSettled(app: TestApp, familyId: string, timeoutMs = 15_000): Promise<void> {
  await vi.waitFor(
    async () => {
      const pending = await app.sql(`select 1 from budget_alert_check where family_id = $1 limit 1`, [
        familyId,
      ]);
      if (pending.length > 0) throw new Error(`budget alert checks of family ${familyId} still pending`);
    },
    { timeout: timeoutMs, interval: 25 },
  );
}
