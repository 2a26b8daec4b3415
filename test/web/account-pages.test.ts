import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  STRONG_PASSWORD,
  TRUSTED_LOOPBACK,
  fromFreshClient,
  startTestApp,
  type TestApp,
} from '../helpers/app.js';
import { ME, codeOf, login, registerUser } from '../helpers/auth.js';
import { launchBrowser, newTestContext, saveScreenshot } from '../helpers/browser.js';

/**
 * The pages the account mails link to, /reset and /verify, in Debian's headless Chromium against the real
 * app, with the links taken from mail the app sent to the test's SMTP server (SECURITY.md E1-E3, W1).
 */

const BROWSER_TIMEOUT = 60_000;
const NEW_PASSWORD = 'moonlight sonata on a tuesday';

describe('the /reset and /verify pages in Chromium', () => {
  let app: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
    browser = await launchBrowser();
  }, 120_000);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  }, 60_000);

  /** A browser whose every request is recorded; `open` is a new tab, as a link in a mail opens. */
  async function openBrowser(): Promise<{ open(url: string): Promise<Page>; requests: string[] }> {
    const context = await newTestContext(browser);
    contexts.push(context);
    context.setDefaultTimeout(20_000);
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    return {
      requests,
      async open(url) {
        const page = await context.newPage();
        await page.goto(url);
        return page;
      },
    };
  }

  /** The link in the newest mail of a kind to `email`, pointed at this app (the mail names PUBLIC_URL). */
  async function linkFromMail(email: string, page: '/reset' | '/verify', since: number): Promise<string> {
    const mail = await app.mailbox!.next(email, { since, match: (m) => m.text.includes(`${page}#token=`) });
    const token = new RegExp(`${page}#token=([A-Za-z0-9_-]{43})`).exec(mail.text)![1]!;
    return `${app.url}${page}#token=${token}`;
  }

  const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true });

  it(
    'forgot password: ask on /reset, open the mailed link, choose a new password; signed out everywhere',
    async () => {
      const user = await registerUser(app, {}, fromFreshClient());
      const { open, requests } = await openBrowser();
      const askPage = await open(`${app.url}/reset`);
      const response = await askPage.request.get(`${app.url}/reset`);
      const csp = response!.headers()['content-security-policy'];
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response!.headers()['referrer-policy']).toBe('no-referrer');

      const since = app.mailbox!.messages.length;
      await askPage.getByLabel('Email', { exact: true }).fill(user.email);
      await askPage.getByRole('button', { name: 'Send the link' }).click();
      await heading(askPage, 'Check your mail').waitFor();
      const link = await linkFromMail(user.email, '/reset', since);

      let page = await open(link);
      await heading(page, 'Choose a new password').waitFor();
      // The token has left the address bar (and the history) as soon as the page read it.
      expect(page.url()).toBe(`${app.url}/reset`);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('New password, again', { exact: true }).fill(`${NEW_PASSWORD}!`);
      await page.getByRole('button', { name: 'Save the new password' }).click();
      await page.getByText('The two passwords differ.').waitFor();
      await page.getByLabel('New password, again', { exact: true }).fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Save the new password' }).click();
      await heading(page, 'Password changed').waitFor();
      await saveScreenshot(page, 'reset-page.png');

      expect(codeOf(await app.gql(ME, {}, { token: user.accessToken }))).toBe('UNAUTHENTICATED');
      expect((await login(app, user.email, NEW_PASSWORD, fromFreshClient())).errors).toBeUndefined();
      expect(codeOf(await login(app, user.email, STRONG_PASSWORD, fromFreshClient()))).toBe(
        'INVALID_CREDENTIALS',
      );

      // The same link again: refused, and the page offers to send a new one.
      page = await open(link);
      await page.getByLabel('New password', { exact: true }).fill('another fine passphrase');
      await page.getByLabel('New password, again', { exact: true }).fill('another fine passphrase');
      await page.getByRole('button', { name: 'Save the new password' }).click();
      await page.getByText(/This link is not valid/).waitFor();
      await heading(page, 'Forgot your password?').waitFor();

      // Everything came from this server.
      expect(requests.filter((url) => !url.startsWith(`${app.url}/`))).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'confirm an address: the mailed /verify link confirms it at once; a used link offers a new one',
    async () => {
      const since = app.mailbox!.messages.length;
      const user = await registerUser(app, { verify: false }, fromFreshClient());
      const link = await linkFromMail(user.email, '/verify', since);
      expect(codeOf(await login(app, user.email, user.password, fromFreshClient()))).toBe(
        'EMAIL_NOT_VERIFIED',
      );

      const { open, requests } = await openBrowser();
      let page = await open(link);
      await heading(page, 'Email address confirmed').waitFor();
      expect(page.url()).toBe(`${app.url}/verify`);
      await saveScreenshot(page, 'verify-page.png');
      expect((await login(app, user.email, user.password, fromFreshClient())).errors).toBeUndefined();

      page = await open(link);
      await page.getByText(/This link is not valid/).waitFor();
      await heading(page, 'Get a new link').waitFor();
      expect(requests.filter((url) => !url.startsWith(`${app.url}/`))).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});
