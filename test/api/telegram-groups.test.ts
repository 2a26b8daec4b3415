import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUSTED_LOOPBACK, freshClientIp, startTestApp, type TestApp } from '../helpers/app.js';
import { financeHelpers } from '../helpers/finance.js';

/**
 * A family's Telegram group: connected and disconnected only by an owner or admin, only through the bot
 * (its credential beside the user's token), one family per group; the bot finds a group's family.
 */

const CONNECT = `mutation ($input: ConnectTelegramGroupInput!) {
  connectTelegramGroup(input: $input) { id chatId title familyId connectedAt } }`;
const DISCONNECT = `mutation ($chatId: ID!) { disconnectTelegramGroup(chatId: $chatId) }`;
const GROUP = `query ($chatId: ID!) { telegramGroup(chatId: $chatId) { chatId title familyId } }`;

const botSecret = randomBytes(36).toString('base64url');
let app: TestApp;
const { ok, newFamily, addMember } = financeHelpers(() => app);

beforeAll(async () => {
  app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK, BOT_API_SECRET: botSecret });
});
afterAll(() => app?.stop());

const viaBot = (token: string) => ({ token, headers: { ...freshClientIp(), 'x-bot-key': botSecret } });
const asBot = { headers: { ...freshClientIp(), 'x-bot-key': botSecret } };
const newChat = () => `-100${randomInt(100_000_000, 999_999_999)}`;

describe('Telegram groups', () => {
  it('an owner connects a group through the bot; the bot finds its family', async () => {
    const family = await newFamily();
    const chatId = newChat();
    const connected = ok(
      await app.gql<{ connectTelegramGroup: { chatId: string; familyId: string; title: string } }>(
        CONNECT,
        { input: { chatId, title: '  Family chat ' } },
        viaBot(family.token),
      ),
    ).connectTelegramGroup;
    expect(connected).toMatchObject({ chatId, familyId: family.familyId, title: 'Family chat' });
    const found = await app.gql(GROUP, { chatId }, asBot);
    expect(found.data).toEqual({
      telegramGroup: { chatId, title: 'Family chat', familyId: family.familyId },
    });
    expect((await app.gql(GROUP, { chatId: newChat() }, asBot)).data).toEqual({ telegramGroup: null });
  });

  it('refuses a user without the bot, a member below admin, another family, and a bad chat id', async () => {
    const family = await newFamily();
    const member = await addMember(family);
    const chatId = newChat();
    const input = { familyId: family.familyId, chatId, title: 'Ours' };
    const code = async (result: Promise<{ errors?: { extensions?: Record<string, unknown> }[] }>) =>
      (await result).errors?.[0]?.extensions;

    expect(await code(app.gql(CONNECT, { input }, { token: family.token }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await code(app.gql(CONNECT, { input }, viaBot(member.token)))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(
      await code(app.gql(CONNECT, { input: { ...input, chatId: '12345' } }, viaBot(family.token))),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.chatId',
    });
    expect(
      await code(app.gql(CONNECT, { input: { ...input, title: ' ' } }, viaBot(family.token))),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.title',
    });
    expect(await code(app.gql(GROUP, { chatId }, { token: family.token }))).toMatchObject({
      code: 'FORBIDDEN',
    });

    ok(await app.gql(CONNECT, { input }, viaBot(family.token)));
    const other = await newFamily();
    // Another family's group is NOT_FOUND to them (A2), and stays where it is.
    expect(
      await code(app.gql(CONNECT, { input: { chatId, title: 'Theirs' } }, viaBot(other.token))),
    ).toMatchObject({ code: 'NOT_FOUND', field: 'input.chatId' });
    // Another family's group is not theirs to disconnect: as if it were not connected.
    expect(await code(app.gql(DISCONNECT, { chatId }, viaBot(other.token)))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await code(app.gql(DISCONNECT, { chatId }, viaBot(member.token)))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await app.gql(GROUP, { chatId }, asBot)).data).toMatchObject({
      telegramGroup: { familyId: family.familyId },
    });

    expect(ok(await app.gql(DISCONNECT, { chatId }, viaBot(family.token)))).toEqual({
      disconnectTelegramGroup: true,
    });
    expect((await app.gql(GROUP, { chatId }, asBot)).data).toEqual({ telegramGroup: null });
  });
});
