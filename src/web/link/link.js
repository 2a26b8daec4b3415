// The account-link page: sign in, see which Telegram account will be linked, confirm or cancel.
// It talks to the GraphQL API like any front end; the link code travels in the URL fragment, which
// browsers never send to a server.
const code = new URLSearchParams(location.hash.slice(1)).get('code') ?? '';
const TOKEN_KEY = 'family-finance.accessToken';

const $ = (id) => document.getElementById(id);
const show = (id) => {
  for (const section of ['signin', 'confirm', 'done']) $(section).hidden = section !== id;
};
const status = (text) => {
  $('status').textContent = text;
};

async function graphql(query, variables, token) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => ({}));
  if (body.errors?.length) {
    const error = new Error(body.errors[0].message);
    error.code = body.errors[0].extensions?.code;
    throw error;
  }
  if (!response.ok || !body.data) throw new Error('The server could not be reached. Please try again.');
  return body.data;
}

function finish(title, text) {
  $('done-title').textContent = title;
  $('done-text').textContent = text;
  show('done');
  $('done-title').tabIndex = -1;
  $('done-title').focus();
}

const expired = (error) => error.code === 'NOT_FOUND';

async function showConfirmation(token) {
  const data = await graphql(
    'query LinkPage($code: String!) { me { email firstName } bindingInfo(code: $code) { firstName lastName username } }',
    { code },
    token,
  );
  const { firstName, lastName, username } = data.bindingInfo;
  const name = [firstName, lastName].filter(Boolean).join(' ');
  $('telegram-account').textContent = username ? `${name} (@${username})` : name;
  $('signed-in-as').textContent = data.me.email ?? data.me.firstName;
  status('');
  show('confirm');
  $('confirm-button').focus();

  $('confirm-button').onclick = async () => {
    $('confirm-button').disabled = true;
    try {
      await graphql(
        'mutation ConfirmLink($code: String!) { bindingConfirm(code: $code) { id } }',
        { code },
        token,
      );
      finish('Linked', 'Your Telegram account is linked. Go back to Telegram: the bot is ready for you.');
    } catch (error) {
      $('confirm-button').disabled = false;
      if (expired(error)) finish('This link has expired', 'Send /link to the bot to get a new one.');
      else status(error.message);
    }
  };
  $('cancel-button').onclick = async () => {
    await graphql(
      'mutation CancelLink($code: String!) { bindingCancel(code: $code) }',
      { code },
      token,
    ).catch(() => {});
    finish('Cancelled', 'Nothing was linked. You can close this page.');
  };
}

async function start() {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(code)) {
    finish(
      'This link is incomplete',
      'Open the link exactly as the bot sent it, or send /link to the bot again.',
    );
    return;
  }
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    try {
      await showConfirmation(saved);
      return;
    } catch (error) {
      sessionStorage.removeItem(TOKEN_KEY);
      if (expired(error)) {
        finish('This link has expired', 'Send /link to the bot to get a new one.');
        return;
      }
    }
  }
  show('signin');
  $('email').focus();
  $('signin-form').onsubmit = async (event) => {
    event.preventDefault();
    $('signin-button').disabled = true;
    status('');
    try {
      const data = await graphql(
        'mutation LinkPageLogin($input: LoginInput!) { login(input: $input) { accessToken } }',
        { input: { email: $('email').value, password: $('password').value } },
      );
      sessionStorage.setItem(TOKEN_KEY, data.login.accessToken);
      await showConfirmation(data.login.accessToken);
    } catch (error) {
      if (expired(error)) finish('This link has expired', 'Send /link to the bot to get a new one.');
      else {
        status(error.message);
        $('password').select();
      }
    } finally {
      $('signin-button').disabled = false;
    }
  };
}

start();
