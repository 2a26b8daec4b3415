import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { ME, registerUser } from '../helpers/auth.js';

describe('register -> me', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  it('returns the registered user from me', async () => {
    const user = await registerUser(app);
    const me = await app.gql<{ me: { email: string } }>(ME, {}, { token: user.accessToken });
    expect(me.errors).toBeUndefined();
    expect(me.data?.me.email).toBe(user.email);
  });
});
