import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/shared/net.js';
import {
  STRONG_PASSWORD,
  TRUSTED_LOOPBACK,
  fromFreshClient,
  startTestApp,
  uniqueEmail,
  type TestApp,
} from '../helpers/app.js';
import { REGISTER, verifyEmailByMail, type Tokens } from '../helpers/auth.js';
import { launchBrowser, newTestContext, saveScreenshot } from '../helpers/browser.js';

/**
 * The reference web client (examples/web) in Debian's headless Chromium, served by its own server
 * (`npm run example:web`) on another origin than the real API, with real PostgreSQL, Redis and the test's
 * SMTP server: sign in with the refresh cookie, see accounts and transactions, add one, see another
 * member's appear over the WebSocket, stay signed in across a reload, and recover a password by mail.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BROWSER_TIMEOUT = 90_000;
const NEW_PASSWORD = 'moonlight sonata on a tuesday';

interface WebClient {
  child: ChildProcess;
  /** http://localhost:<port> */
  url: string;
  stop(): Promise<void>;
}

/** Starts examples/web/serve.mjs as `npm run example:web` does, on a free port, for the API at `apiUrl`. */
async function startWebClient(apiUrl: string): Promise<WebClient> {
  const child = spawn(process.execPath, ['examples/web/serve.mjs'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', API_URL: apiUrl, WEB_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Web client: (http:\/\/localhost:\d+)\//.exec(output);
      if (match) resolve(match[1]!);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${output}`)));
  });
  return {
    child,
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('the reference web client (examples/web) in Chromium', () => {
  let app: TestApp;
  let web: WebClient;
  let api: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // The page needs the API's address and the API needs the page's origin (CORS_ORIGINS): the API's port
    // is chosen first, so that PUBLIC_URL (the links in the mail) is the API's real address too.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      api = `http://localhost:${port}`;
      web = await startWebClient(api);
      try {
        app = await startTestApp({
          PORT: String(port),
          PUBLIC_URL: api,
          CORS_ORIGINS: web.url,
          TRUSTED_PROXIES: TRUSTED_LOOPBACK,
        });
        break;
      } catch (error) {
        await web.stop();
        // Another process took the port between freePort() and the listen: try another one.
        if ((error as { code?: unknown }).code !== 'EADDRINUSE' || attempt === 3) throw error;
      }
    }
    browser = await launchBrowser();
  }, 120_000);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await web?.stop();
  }, 60_000);

  /**
   * A fresh browser on the client's page. `requests` records every URL the browser asked for (WebSockets
   * included), `problems` every console error and uncaught exception (a CSP violation is one).
   */
  async function openClient() {
    const context = await newTestContext(browser);
    contexts.push(context);
    context.setDefaultTimeout(20_000);
    const requests: string[] = [];
    const problems: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const page = await context.newPage();
    page.on('websocket', (socket) => requests.push(socket.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
    const response = await page.goto(`${web.url}/`);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe');
    return { context, page, requests, problems };
  }

  /** Everything the page loaded came from its own server, and everything it called went to the API. */
  function expectOnlyOwnOrigins(requests: string[]) {
    const wsApi = api.replace(/^http/, 'ws');
    expect(
      requests.filter((url) => ![`${web.url}/`, `${api}/`, `${wsApi}/`].some((o) => url.startsWith(o))),
    ).toEqual([]);
    expect(requests).toContain(`${web.url}/vendor/graphql-ws/client.js`);
    expect(requests).toContain(`${wsApi}/graphql`);
  }

  async function signIn(page: Page, email: string, password: string): Promise<void> {
    const form = page.locator('#sign-in');
    await form.getByRole('heading', { name: 'Sign in' }).waitFor();
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Sign in' }).click();
  }

  /** A new user with a confirmed address (through the mail), named so the page can tell members apart. */
  async function person(firstName: string) {
    const email = uniqueEmail(firstName.toLowerCase());
    const result = await app.gql<{ register: Tokens }>(
      REGISTER,
      { input: { email, password: STRONG_PASSWORD, firstName } },
      fromFreshClient(),
    );
    expect(result.errors, result.text).toBeUndefined();
    await verifyEmailByMail(app, email, fromFreshClient());
    return { ...result.data!.register, email, password: STRONG_PASSWORD };
  }

  /** A verified user with their family, its Cash account, and a second member of the same family. */
  async function family() {
    const owner = await person('Alex');
    const setup = await app.gql<{
      families: { id: string }[];
      accounts: { id: string; name: string }[];
      categories: { id: string; name: string }[];
    }>('{ families { id } accounts { id name } categories { id name } }', {}, { token: owner.accessToken });
    const familyId = setup.data!.families[0]!.id;
    const cashId = setup.data!.accounts.find((a) => a.name === 'Cash')!.id;
    const category = (name: string) => setup.data!.categories.find((c) => c.name === name)!.id;
    const invite = await app.gql<{ createInvite: { code: string } }>(
      'mutation($input: CreateInviteInput!) { createInvite(input: $input) { code } }',
      { input: { familyId } },
      { token: owner.accessToken },
    );
    const member = await person('Sam');
    const joined = await app.gql<{ joinFamily: { id: string } }>(
      'mutation($code: String!) { joinFamily(code: $code) { id } }',
      { code: invite.data!.createInvite.code },
      { token: member.accessToken },
    );
    expect(joined.data?.joinFamily.id, joined.text).toBe(familyId);
    return { owner, member, familyId, cashId, category };
  }

  /** Records an expense through the API, as another client of the family (the bot, an app) does. */
  async function addExpense(
    token: string,
    accountId: string,
    amount: string,
    note: string,
    categoryId?: string,
  ) {
    const result = await app.gql<{ createTransaction: { id: string } }>(
      'mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }',
      { input: { kind: 'EXPENSE', accountId, amount, note, categoryId } },
      { token },
    );
    expect(result.errors, result.text).toBeUndefined();
    return result.data!.createTransaction.id;
  }

  const row = (page: Page, text: string) => page.locator('#transactions tr', { hasText: text });
  /** Waits until the account's card shows exactly this balance. */
  const balanceShown = (page: Page, account: string, text: string) =>
    page
      .locator('#accounts li', { hasText: account })
      .locator('.balance', { hasText: new RegExp(`^${text.replace(/[.+]/g, '\\$&')}$`) })
      .waitFor();

  it(
    'signs in with the cookie, lists and adds, shows another member’s entries live, and survives a reload',
    async () => {
      const { owner, member, cashId, category } = await family();
      await addExpense(owner.accessToken, cashId, '12.50', 'coffee beans', category('Groceries'));

      const { context, page, requests, problems } = await openClient();
      await signIn(page, owner.email, owner.password);
      await page.getByRole('heading', { name: 'Accounts' }).waitFor();
      await balanceShown(page, 'Cash', '-12.50 EUR');
      await row(page, 'coffee beans').waitFor();
      expect(await row(page, 'coffee beans').locator('td').allTextContents()).toEqual([
        expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        'coffee beans',
        'Groceries',
        'Cash',
        'Alex',
        '−12.50 EUR',
      ]);

      // The refresh token is a cookie page scripts cannot read; the access token is kept nowhere but memory.
      const [cookie] = (await context.cookies(`${api}/graphql`)).filter((c) => c.name === 'ff_refresh');
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/graphql' });
      expect(await page.evaluate('[document.cookie, localStorage.length, sessionStorage.length]')).toEqual([
        '',
        0,
        0,
      ]);

      // Add one from the page.
      const form = page.locator('#add-form');
      await form.getByLabel('Kind').selectOption('EXPENSE');
      await form.getByLabel('Account').selectOption({ label: 'Cash (EUR)' });
      await form.getByLabel('Amount').fill('3.20');
      await form.getByLabel('Category').selectOption({ label: 'Groceries' });
      await form.getByLabel('Note').fill('bread from the page');
      await form.getByRole('button', { name: 'Add' }).click();
      await row(page, 'bread from the page').waitFor();
      await balanceShown(page, 'Cash', '-15.70 EUR');
      const recorded = await app.gql<{
        transactions: {
          edges: { node: { note: string; amount: { amount: string }; createdBy: { id: string } } }[];
        };
      }>(
        '{ transactions(first: 1) { edges { node { note amount { amount } createdBy { id } } } } }',
        {},
        { token: member.accessToken },
      );
      expect(recorded.data?.transactions.edges[0]?.node).toEqual({
        note: 'bread from the page',
        amount: { amount: '3.20' },
        createdBy: { id: owner.user.id },
      });

      // Another member adds one through the API: it appears without a reload (the page never polls).
      await page.locator('#live', { hasText: 'Live' }).waitFor();
      await addExpense(
        member.accessToken,
        cashId,
        '2.00',
        'milk, added by the other member',
        category('Groceries'),
      );
      await row(page, 'milk, added by the other member').waitFor();
      expect(await row(page, 'milk, added by the other member').locator('td').nth(4).textContent()).toBe(
        'Sam',
      );
      await balanceShown(page, 'Cash', '-17.70 EUR');
      await saveScreenshot(page, 'web-client.png');

      // A reload forgets the access token; the cookie signs the page in again, and live updates resume.
      await page.reload();
      await page.getByRole('heading', { name: 'Accounts' }).waitFor();
      expect(await page.locator('#sign-in').isHidden()).toBe(true);
      await row(page, 'milk, added by the other member').waitFor();
      await page.locator('#live', { hasText: 'Live' }).waitFor();
      await addExpense(member.accessToken, cashId, '7.30', 'after the reload');
      await row(page, 'after the reload').waitFor();
      expect(await page.locator('#transactions tr').count()).toBe(4);

      // Signing out ends the session: a reload then asks to sign in.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.locator('#sign-in').getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.reload();
      await page.locator('#sign-in').getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await page.locator('#home').isHidden()).toBe(true);
      expectOnlyOwnOrigins(requests);
      expect(problems).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'forgot password: the mailed link opens the API’s /reset page; the new password signs in, the old session ends',
    async () => {
      const { owner } = await family();

      // Signed in in one browser, which the reset will sign out.
      const signedIn = await openClient();
      await signIn(signedIn.page, owner.email, owner.password);
      await signedIn.page.locator('#live', { hasText: 'Live' }).waitFor();

      const { page } = await openClient();
      await page.getByRole('button', { name: 'Forgot your password?' }).click();
      const forgot = page.locator('#forgot');
      await forgot.getByLabel('Email').fill(owner.email);
      const since = app.mailbox!.messages.length;
      await forgot.getByRole('button', { name: 'Send the link' }).click();
      await forgot.getByRole('heading', { name: 'Check your mail' }).waitFor();

      const mail = await app.mailbox!.next(owner.email, {
        since,
        match: (m) => m.text.includes('/reset#token='),
      });
      const link = /(\S+\/reset#token=[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
      expect(link.startsWith(`${api}/reset#token=`)).toBe(true);

      const reset = await page.context().newPage();
      await reset.goto(link);
      await reset.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await reset.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await reset.getByLabel('New password, again', { exact: true }).fill(NEW_PASSWORD);
      await reset.getByRole('button', { name: 'Save the new password' }).click();
      await reset.getByRole('heading', { name: 'Password changed' }).waitFor();

      // The reset ended every session: the open page is told over its socket and asks to sign in again.
      await signedIn.page.locator('#sign-in').getByRole('heading', { name: 'Sign in' }).waitFor();
      await signedIn.page.getByText('Your session has ended. Please sign in again.').waitFor();

      await page.getByRole('button', { name: 'Back to sign in' }).click();
      await signIn(page, owner.email, STRONG_PASSWORD);
      await page.getByText('The email or password is incorrect.').waitFor();
      await signIn(page, owner.email, NEW_PASSWORD);
      await page.getByRole('heading', { name: 'Accounts' }).waitFor();
      await balanceShown(page, 'Cash', '0.00 EUR');
    },
    BROWSER_TIMEOUT,
  );
});
