import { STRONG_PASSWORD, uniqueEmail, type GqlOptions, type TestApp } from './app.js';

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

/** Registers a fresh user through the API and returns its tokens and credentials. */
export async function registerUser(
  app: TestApp,
  overrides: { email?: string; password?: string } = {},
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
