import { STRONG_PASSWORD, gql, uniqueEmail, type GqlOptions, type TestApp } from './app.js';
import { linkToken, type Mailbox } from './mailbox.js';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; email: string | null };
}

const AUTH_FIELDS = 'accessToken refreshToken expiresIn user { id email }';

export const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
export const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
export const REFRESH = `mutation Refresh($token: String!) { refreshToken(refreshToken: $token) { ${AUTH_FIELDS} } }`;
export const ME = `query Me { me { id email firstName } }`;
export const VERIFY_EMAIL = `mutation VerifyEmail($token: String!) { verifyEmail(token: $token) }`;

/**
 * Confirms `email` the way its owner does: takes the link from the verification mail the API at `baseUrl`
 * sent to `mailbox` (a real SMTP server in the test process), and calls verifyEmail with its token.
 */
export async function confirmEmail(
  mailbox: Mailbox,
  baseUrl: string,
  email: string,
  options: GqlOptions = {},
): Promise<void> {
  const mail = await mailbox.next(email, { match: (m) => m.text.includes('/verify#token=') });
  const result = await gql<{ verifyEmail: boolean }>(
    baseUrl,
    VERIFY_EMAIL,
    { token: linkToken(mail, '/verify') },
    options,
  );
  if (result.data?.verifyEmail !== true) throw new Error(`verifyEmail failed: ${result.text}`);
}

/** `confirmEmail` for a test app, whose mail goes to its own mailbox. */
export async function verifyEmailByMail(
  app: TestApp,
  email: string,
  options: GqlOptions = {},
): Promise<void> {
  if (app.mailbox === undefined)
    throw new Error('verifyEmailByMail: this app sends no mail to a test mailbox');
  await confirmEmail(app.mailbox, app.url, email, options);
}

/**
 * Registers a fresh user through the API and returns its tokens and credentials. The address is then
 * confirmed through the verification mail (so the user can sign in with it), unless `verify: false`.
 */
export async function registerUser(
  app: TestApp,
  overrides: { email?: string; password?: string; verify?: boolean } = {},
  options: GqlOptions = {},
): Promise<Tokens & { email: string; password: string }> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? STRONG_PASSWORD;
  const result = await app.gql<{ register: Tokens }>(
    REGISTER,
    { input: { email, password, firstName: 'Test', lastName: 'User' } },
    options,
  );
  if (!result.data?.register) throw new Error(`register failed: ${result.text}`);
  if (overrides.verify !== false) await verifyEmailByMail(app, email, options);
  return { ...result.data.register, email, password };
}

export async function login(app: TestApp, email: string, password: string, options: GqlOptions = {}) {
  return app.gql<{ login: Tokens }>(LOGIN, { input: { email, password } }, options);
}

export async function refresh(app: TestApp, token: string, options: GqlOptions = {}) {
  return app.gql<{ refreshToken: Tokens }>(REFRESH, { token }, options);
}

export const codeOf = (result: { errors?: { extensions?: Record<string, unknown> }[] | undefined }) =>
  result.errors?.[0]?.extensions?.code;
