import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  TRUSTED_LOOPBACK,
  createScratchDatabase,
  fromFreshClient,
  startTestApp,
  type GqlOptions,
  type TestApp,
} from '../helpers/app.js';
import { codeOf, registerUser } from '../helpers/auth.js';
import { launchBrowser, newTestContext, saveScreenshot } from '../helpers/browser.js';

/**
 * The account-link page (SECURITY.md T4 and W1: it shows whose Telegram account is about to be linked,
 * and loads nothing from elsewhere) in Debian's headless Chromium against the real app. The app runs on a
 * scratch database of this file's own, so the bot's outbox holds only what these tests put there.
 */

const BROWSER_TIMEOUT = 60_000;

const BINDING_START = `mutation Start($input: BindingStartInput!) { bindingStart(input: $input) { code url } }`;
const BINDING_CONFIRM = `mutation Confirm($code: String!) { bindingConfirm(code: $code) { id telegramId } }`;
const PENDING = `query Pending { pendingNotifications(limit: 100) { id kind telegramId payload } }`;
const TG_LOGIN = `mutation TgLogin($telegramId: ID!) { telegramLogin(telegramId: $telegramId) { accessToken user { id } } }`;
const ME = `query Me { me { id email telegramId } }`;

let tgCounter = 0;
const newTelegramId = () => String(8_000_000_000 + ++tgCounter);

describe('the account-link page in Chromium (SECURITY.md T4)', () => {
  const botSecret = randomBytes(36).toString('base64url');
  const bot: GqlOptions = { headers: { 'x-bot-key': botSecret } };
  let app: TestApp;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    app = await startTestApp({
      DATABASE_URL: scratch.url,
      BOT_API_SECRET: botSecret,
      TRUSTED_PROXIES: TRUSTED_LOOPBACK,
    });
    browser = await launchBrowser();
  }, 120_000);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (scratch === undefined) return;
    await scratch.drop();
  }, 60_000);

  /** A fresh browser context (own session storage) whose requests are all recorded. */
  async function openPage(options: BrowserContextOptions = {}): Promise<{ page: Page; requests: string[] }> {
    const context = await newTestContext(browser, options);
    contexts.push(context);
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    return { page, requests };
  }

  const emailUser = () => registerUser(app, {}, fromFreshClient());

  /** bindingStart as the bot; the link as the bot would send it, pointed at this app's address. */
  async function startLink(telegramId: string) {
    const result = await app.gql<{ bindingStart: { code: string; url: string } }>(
      BINDING_START,
      {
        input: { telegramId, chatId: telegramId, firstName: 'Ann', lastName: 'Example', username: 'ann_tg' },
      },
      bot,
    );
    if (!result.data?.bindingStart) throw new Error(`bindingStart failed: ${result.text}`);
    const { code, url } = result.data.bindingStart;
    const sent = new URL(url);
    expect(sent.pathname).toBe('/link');
    expect(sent.hash).toBe(`#code=${code}`);
    return { code, link: `${app.url}${sent.pathname}${sent.hash}` };
  }

  const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true });

  async function signIn(page: Page, email: string, password: string) {
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  const telegramIdOf = async (userId: string) =>
    (
      await app.sql<{ telegram_id: string | null }>(
        'select telegram_id::text as telegram_id from app_user where id = $1',
        [userId],
      )
    )[0]?.telegram_id;

  it(
    'links a Telegram account: sign in (a wrong password first), see who is linked, confirm; the bot hears of it',
    async () => {
      const user = await emailUser();
      const telegramId = newTelegramId();
      const { link } = await startLink(telegramId);
      const { page, requests } = await openPage();
      const cspViolations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });

      const response = await page.goto(link);
      expect(response?.status()).toBe(200);
      const csp = response?.headers()['content-security-policy'] ?? '';
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(response?.headers()['referrer-policy']).toBe('no-referrer');

      await heading(page, 'Sign in to Family Finance').waitFor();
      await signIn(page, user.email, 'not the right password at all');
      await page.getByRole('status').filter({ hasText: 'The email or password is incorrect.' }).waitFor();
      expect(await heading(page, 'Confirm the link').isVisible()).toBe(false);
      expect(await telegramIdOf(user.user.id)).toBeNull();

      await signIn(page, user.email, user.password);
      await heading(page, 'Confirm the link').waitFor();
      await page.getByText('Ann Example (@ann_tg)', { exact: true }).waitFor();
      await page.getByText(user.email, { exact: true }).waitFor();
      expect(await page.getByRole('status').textContent()).toBe('');
      await saveScreenshot(page, 'link-page-confirm.png');
      expect(await telegramIdOf(user.user.id)).toBeNull();

      await page.getByRole('button', { name: 'Link this Telegram account' }).click();
      await heading(page, 'Linked').waitFor();
      await saveScreenshot(page, 'link-page-done.png');
      expect(await telegramIdOf(user.user.id)).toBe(telegramId);

      const outbox = await app.gql<{
        pendingNotifications: { kind: string; telegramId: string; payload: Record<string, unknown> }[];
      }>(PENDING, {}, bot);
      expect(outbox.errors, outbox.text).toBeUndefined();
      const linked = outbox.data!.pendingNotifications.filter(
        (n) => n.kind === 'TELEGRAM_LINKED' && n.telegramId === telegramId,
      );
      expect(linked, outbox.text).toHaveLength(1);
      expect(linked[0]!.payload.chatId).toBe(telegramId);

      const botLogin = await app.gql<{ telegramLogin: { accessToken: string; user: { id: string } } }>(
        TG_LOGIN,
        { telegramId },
        bot,
      );
      expect(botLogin.errors, botLogin.text).toBeUndefined();
      const asBot = await app.gql<{ me: { id: string; email: string; telegramId: string } }>(
        ME,
        {},
        { token: botLogin.data!.telegramLogin.accessToken },
      );
      expect(asBot.data?.me).toEqual({ id: user.user.id, email: user.email, telegramId });

      // Everything came from the app itself: no CDN, no third party; and nothing broke the CSP.
      const origin = new URL(app.url).origin;
      expect(requests.length).toBeGreaterThan(0);
      for (const url of requests) expect(url.startsWith(`${origin}/`), url).toBe(true);
      expect(requests.some((url) => url.endsWith('/link/link.js'))).toBe(true);
      expect(cspViolations).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'an expired code (+601 s before confirming) says "This link has expired" and links nothing',
    async () => {
      const user = await emailUser();
      const { link } = await startLink(newTelegramId());
      const { page } = await openPage();
      await page.goto(link);
      await signIn(page, user.email, user.password);
      await heading(page, 'Confirm the link').waitFor();
      app.clock.advance(601_000);
      await page.getByRole('button', { name: 'Link this Telegram account' }).click();
      await heading(page, 'This link has expired').waitFor();
      expect(await telegramIdOf(user.user.id)).toBeNull();
    },
    BROWSER_TIMEOUT,
  );

  it(
    'a used code opened again in another browser says "This link has expired" after sign-in',
    async () => {
      const first = await emailUser();
      const second = await emailUser();
      const telegramId = newTelegramId();
      const { link } = await startLink(telegramId);

      const { page: firstPage } = await openPage();
      await firstPage.goto(link);
      await signIn(firstPage, first.email, first.password);
      await firstPage.getByRole('button', { name: 'Link this Telegram account' }).click();
      await heading(firstPage, 'Linked').waitFor();

      const { page: secondPage } = await openPage();
      await secondPage.goto(link);
      await heading(secondPage, 'Sign in to Family Finance').waitFor();
      await signIn(secondPage, second.email, second.password);
      await heading(secondPage, 'This link has expired').waitFor();
      expect(await secondPage.getByRole('button', { name: 'Link this Telegram account' }).isVisible()).toBe(
        false,
      );
      expect(await telegramIdOf(first.user.id)).toBe(telegramId);
      expect(await telegramIdOf(second.user.id)).toBeNull();
    },
    BROWSER_TIMEOUT,
  );

  it(
    'Cancel says "Cancelled" and the code no longer works',
    async () => {
      const user = await emailUser();
      const { code, link } = await startLink(newTelegramId());
      const { page } = await openPage();
      await page.goto(link);
      await signIn(page, user.email, user.password);
      await heading(page, 'Confirm the link').waitFor();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await heading(page, 'Cancelled').waitFor();

      const confirm = await app.gql(BINDING_CONFIRM, { code }, { token: user.accessToken });
      expect(codeOf(confirm), confirm.text).toBe('NOT_FOUND');
      expect(await telegramIdOf(user.user.id)).toBeNull();
    },
    BROWSER_TIMEOUT,
  );

  it(
    'a link without a (whole) code says "This link is incomplete"',
    async () => {
      for (const path of ['/link', '/link#code=', '/link#code=short', '/link?code=AAAAAAAAAAAAAAAAAAAAAA']) {
        // A page of its own each: a change of the fragment alone would not load the page again.
        const { page } = await openPage();
        await page.goto(`${app.url}${path}`);
        await heading(page, 'This link is incomplete').waitFor();
        expect(await page.getByLabel('Email', { exact: true }).isVisible(), path).toBe(false);
      }
    },
    BROWSER_TIMEOUT,
  );

  it(
    'is usable 360 px wide: the confirm button is visible and inside the viewport',
    async () => {
      const user = await emailUser();
      const { link } = await startLink(newTelegramId());
      const { page } = await openPage({ viewport: { width: 360, height: 640 } });
      await page.goto(link);
      await signIn(page, user.email, user.password);
      await heading(page, 'Confirm the link').waitFor();
      const button = page.getByRole('button', { name: 'Link this Telegram account' });
      expect(await button.isVisible()).toBe(true);
      const box = await button.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(360);
      expect(box!.y + box!.height).toBeLessThanOrEqual(640);
      // No sideways scrolling either.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      await saveScreenshot(page, 'link-page-confirm-360.png');
    },
    BROWSER_TIMEOUT,
  );
});
