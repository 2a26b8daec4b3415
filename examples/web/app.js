// The reference web client: plain browser JavaScript, no framework, no build step.
// - Cookie mode: the refresh token lives in an httpOnly cookie the page cannot read; the access token
//   lives only in this module's memory, and a reload gets a new one with `refreshToken` (no argument).
// - Live updates: graphql-ws on the API's /graphql; every (re)connect hands over the current token.
import { createClient } from '/vendor/graphql-ws/client.js';

const API = document.querySelector('meta[name="api-url"]').content;
const $ = (id) => document.getElementById(id);

const USER = 'user { id email firstName }';
const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input, refreshTokenIn: COOKIE) { accessToken expiresIn ${USER} }
}`;
const REFRESH = `mutation Refresh { refreshToken { accessToken expiresIn ${USER} } }`;
const LOGOUT = 'mutation Logout { logout }';
const REQUEST_RESET = 'mutation RequestReset($email: String!) { requestPasswordReset(email: $email) }';
const HOME = `query Home($kind: CategoryKind) {
  accounts { id name currency balance { amount currency } }
  categories(kind: $kind) { id name }
  transactions(first: 15) {
    edges { node {
      id kind note occurredOn amount { amount currency }
      category { name } account { name } toAccount { name } createdBy { firstName }
    } }
  }
}`;
const CATEGORIES = 'query Categories($kind: CategoryKind) { categories(kind: $kind) { id name } }';
const ADD = `mutation Add($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`;
const ON_TRANSACTION = 'subscription OnTransaction { transactionChanged { change transactionId } }';
const ON_BALANCES =
  'subscription OnBalances { balancesChanged { accounts { id balance { amount currency } } } }';

class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

// ---- Session: the access token in memory, renewed from the cookie ----

let session = null; // { accessToken, expiresAt, user }
let refreshing = null;
let renewTimer;

async function post(query, variables, token) {
  let response;
  try {
    response = await fetch(`${API}/graphql`, {
      method: 'POST',
      // Sends (and accepts) the refresh cookie; the API lists this page's origin in CORS_ORIGINS.
      credentials: 'include',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('The server could not be reached. Please try again.', 'NETWORK');
  }
  const body = await response.json().catch(() => ({}));
  const [error] = body.errors ?? [];
  if (error) throw new ApiError(error.message, error.extensions?.code);
  if (!body.data) throw new ApiError(`Unexpected answer (HTTP ${response.status}).`, 'BAD_RESPONSE');
  return body.data;
}

function startSession(payload) {
  session = {
    accessToken: payload.accessToken,
    expiresAt: Date.now() + payload.expiresIn * 1000,
    user: payload.user,
  };
  clearTimeout(renewTimer);
  // Renew a minute before the token expires, so neither requests nor the socket ever hold a dead one.
  renewTimer = setTimeout(() => refresh().catch(() => {}), Math.max(payload.expiresIn - 60, 10) * 1000);
  renewSocket();
}

/** Trades the cookie for a new access token; one at a time (the cookie rotates on every use). */
function refresh() {
  refreshing ??= post(REFRESH)
    .then((data) => startSession(data.refreshToken))
    .finally(() => (refreshing = null));
  return refreshing;
}

/** An authenticated call; on an expired token, refreshes once and tries again. */
async function api(query, variables) {
  if (session === null) throw new ApiError('Not signed in.', 'UNAUTHENTICATED');
  try {
    return await post(query, variables, session.accessToken);
  } catch (error) {
    if (error.code !== 'UNAUTHENTICATED') throw error;
    try {
      await refresh();
    } catch {
      signedOut('Your session has ended. Please sign in again.');
      throw error;
    }
    return post(query, variables, session.accessToken);
  }
}

// ---- Live updates over WebSocket ----

let live = null;
let liveSocket = null;

function connectLive() {
  live = createClient({
    url: `${API.replace(/^http/, 'ws')}/graphql`,
    // Called on every (re)connect: a token about to expire is renewed first.
    connectionParams: async () => {
      if (session !== null && session.expiresAt - Date.now() < 30_000) await refresh();
      return { accessToken: session?.accessToken };
    },
    retryAttempts: Infinity,
    on: {
      opened: (socket) => (liveSocket = socket),
      connected: () => {
        setLive('Live', true);
        // Events are notices: what happened while the socket was down is fetched again.
        scheduleReload();
      },
      closed: (event) => {
        liveSocket = null;
        if (live === null) return;
        setLive('Reconnecting…', false);
        // 4403: the token expired or the session ended. A refresh tells which; the retry then uses its token.
        if (event?.code === 4403) {
          refresh().catch(() => signedOut('Your session has ended. Please sign in again.'));
        }
      },
    },
  });
  const sink = (onData) => ({ next: onData, error: () => {}, complete: () => {} });
  live.subscribe(
    { query: ON_TRANSACTION },
    sink(() => scheduleReload()),
  );
  live.subscribe(
    { query: ON_BALANCES },
    sink(({ data }) => data && data.balancesChanged.accounts.forEach(showBalance)),
  );
}

/** After a refresh, hands the open socket the new token, so it outlives the old one. */
function renewSocket() {
  if (liveSocket?.readyState === WebSocket.OPEN) {
    liveSocket.send(JSON.stringify({ type: 'ping', payload: { accessToken: session.accessToken } }));
  }
}

function stopLive() {
  const client = live;
  live = null;
  liveSocket = null;
  client?.dispose();
}

function setLive(text, on) {
  $('live').textContent = text;
  $('live').classList.toggle('on', on);
}

// ---- Screens ----

const SCREENS = ['loading', 'sign-in', 'forgot', 'home'];
function show(id) {
  for (const screen of SCREENS) $(screen).hidden = screen !== id;
  $('session').hidden = id !== 'home';
}

function signedIn() {
  $('user-name').textContent = session.user.firstName || session.user.email;
  show('home');
  connectLive();
  reload();
}

function signedOut(message = '') {
  clearTimeout(renewTimer);
  session = null;
  stopLive();
  const form = $('sign-in-form');
  form.querySelector('.error').textContent = message;
  show('sign-in');
}

// ---- Data ----

let reloadPending = null;
/** Coalesces the reloads a burst of events asks for into one request. */
function scheduleReload() {
  reloadPending ??= Promise.resolve().then(() => {
    reloadPending = null;
    return reload();
  });
}

async function reload() {
  if (session === null) return;
  try {
    const data = await api(HOME, { kind: $('add-form').elements.kind.value });
    renderAccounts(data.accounts);
    renderCategories(data.categories);
    renderTransactions(data.transactions.edges.map((edge) => edge.node));
  } catch (error) {
    $('add-form').querySelector('.error').textContent = error.message;
  }
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function renderAccounts(accounts) {
  $('accounts').replaceChildren(
    ...accounts.map((account) => {
      const item = element('li');
      item.dataset.id = account.id;
      item.append(element('span', account.name, 'name'), element('span', '', 'balance'));
      return item;
    }),
  );
  accounts.forEach(showBalance);
  const select = $('add-form').elements.accountId;
  const chosen = select.value;
  select.replaceChildren(...accounts.map((a) => new Option(`${a.name} (${a.currency})`, a.id)));
  if (accounts.some((a) => a.id === chosen)) select.value = chosen;
}

function showBalance(account) {
  const item = $('accounts').querySelector(`li[data-id="${CSS.escape(account.id)}"]`);
  if (item) item.querySelector('.balance').textContent = money(account.balance);
}

function renderCategories(categories) {
  const select = $('add-form').elements.categoryId;
  const chosen = select.value;
  select.replaceChildren(new Option('—', ''), ...categories.map((c) => new Option(c.name, c.id)));
  if (categories.some((c) => c.id === chosen)) select.value = chosen;
}

function renderTransactions(transactions) {
  $('no-transactions').hidden = transactions.length > 0;
  $('transactions').replaceChildren(
    ...transactions.map((t) => {
      const row = element('tr');
      row.dataset.id = t.id;
      const sign = t.kind === 'EXPENSE' ? '−' : t.kind === 'INCOME' ? '+' : '';
      const account = t.toAccount ? `${t.account.name} → ${t.toAccount.name}` : t.account.name;
      row.append(
        element('td', t.occurredOn),
        element('td', t.note ?? ''),
        element('td', t.category?.name ?? (t.kind === 'TRANSFER' ? 'Transfer' : '')),
        element('td', account),
        element('td', t.createdBy.firstName),
        element('td', `${sign}${money(t.amount)}`, `amount ${t.kind.toLowerCase()}`),
      );
      return row;
    }),
  );
}

const money = ({ amount, currency }) => `${amount} ${currency}`;

// ---- Forms ----

function form(id, onSubmit) {
  const node = $(id);
  node.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = node.querySelector('button[type=submit]');
    const error = node.querySelector('.error');
    button.disabled = true;
    error.textContent = '';
    try {
      await onSubmit(node.elements);
    } catch (failure) {
      error.textContent = failure.message;
    } finally {
      button.disabled = false;
    }
  });
}

form('sign-in-form', async ({ email, password }) => {
  const data = await post(LOGIN, { input: { email: email.value, password: password.value } });
  password.value = '';
  startSession(data.login);
  signedIn();
});

form('forgot-form', async ({ email }) => {
  await post(REQUEST_RESET, { email: email.value });
  // The mailed link opens the API's own /reset page, which asks for the new password.
  $('forgot-form').hidden = true;
  $('forgot-sent').hidden = false;
});

form('add-form', async (fields) => {
  const input = {
    kind: fields.kind.value,
    accountId: fields.accountId.value,
    amount: fields.amount.value.trim().replace(',', '.'),
    categoryId: fields.categoryId.value || null,
    note: fields.note.value.trim() || null,
    // A retried click records once.
    idempotencyKey: crypto.randomUUID(),
  };
  await api(ADD, { input });
  fields.amount.value = '';
  fields.note.value = '';
  await reload();
});

$('add-form').elements.kind.addEventListener('change', async (event) => {
  const data = await api(CATEGORIES, { kind: event.target.value });
  renderCategories(data.categories);
});

$('forgot-open').addEventListener('click', () => {
  $('forgot-form').hidden = false;
  $('forgot-sent').hidden = true;
  $('forgot-form').elements.email.value = $('sign-in-form').elements.email.value;
  show('forgot');
});
$('forgot-back').addEventListener('click', () => show('sign-in'));

$('sign-out').addEventListener('click', async () => {
  // Ends the session on the server and clears the cookie; the socket closes with it.
  await api(LOGOUT).catch(() => {});
  signedOut();
});

// ---- Start: a reload is still signed in while the cookie's session lives ----

refresh().then(signedIn, () => signedOut());
