import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUSTED_LOOPBACK, startTestApp, type TestApp } from '../helpers/app.js';
import { registerUser } from '../helpers/auth.js';

/** The reply language a user chooses is kept on the user, for every client (the bot's /language). */

const SET = `mutation Set($language: String!) { setLanguage(language: $language) { id language } }`;
const ME = `{ me { language } }`;

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
});
afterAll(() => app?.stop());

describe('setLanguage', () => {
  it('stores a supported language on the caller, null until then', async () => {
    const user = await registerUser(app);
    expect((await app.gql(ME, {}, { token: user.accessToken })).data).toEqual({ me: { language: null } });
    const set = await app.gql<{ setLanguage: { language: string } }>(
      SET,
      { language: 'RU' },
      { token: user.accessToken },
    );
    expect(set.errors).toBeUndefined();
    expect(set.data?.setLanguage.language).toBe('ru');
    expect((await app.gql(ME, {}, { token: user.accessToken })).data).toEqual({ me: { language: 'ru' } });
    const rows = await app.sql<{ language: string }>('select language from app_user where email = $1', [
      user.email,
    ]);
    expect(rows).toEqual([{ language: 'ru' }]);
  });

  it.each(['xx', '', 'english', 'de'])('refuses %j as BAD_USER_INPUT on language', async (language) => {
    const user = await registerUser(app);
    const result = await app.gql(SET, { language }, { token: user.accessToken });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'language' });
    expect((await app.gql(ME, {}, { token: user.accessToken })).data).toEqual({ me: { language: null } });
  });

  it('needs a signed-in caller', async () => {
    const result = await app.gql(SET, { language: 'en' });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
