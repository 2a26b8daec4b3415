// Shared by the reset and verify pages: one GraphQL call to this server, as any front end makes it.
export const $ = (id) => document.getElementById(id);

export async function graphql(query, variables) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => ({}));
  if (body.errors?.length) {
    const error = new Error(body.errors[0].message);
    error.code = body.errors[0].extensions?.code;
    error.field = body.errors[0].extensions?.field;
    throw error;
  }
  if (!response.ok || !body.data) throw new Error('The server could not be reached. Please try again.');
  return body.data;
}

// The token travels in the URL fragment, which browsers never send to a server; it is taken out of the
// address bar (and so out of the history) as soon as the page has read it.
export function takeToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  if (location.hash) history.replaceState(null, '', location.pathname);
  return /^[A-Za-z0-9_-]{43}$/.test(token) ? token : null;
}

export function show(sections, id) {
  for (const section of sections) $(section).hidden = section !== id;
}

export function status(text) {
  $('status').textContent = text;
}

export function finish(sections, title, text) {
  $('done-title').textContent = title;
  $('done-text').textContent = text;
  show(sections, 'done');
  $('done-title').tabIndex = -1;
  $('done-title').focus();
}

// Asks for a mail (a reset or a new confirmation link) from a form with an email field.
export function mailRequestForm(sections, form, mutation, sentTitle, sentText) {
  form.onsubmit = async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    status('');
    try {
      await graphql(`mutation Request($email: String!) { ${mutation}(email: $email) }`, {
        email: form.querySelector('input[type=email]').value,
      });
      finish(sections, sentTitle, sentText);
    } catch (error) {
      status(error.message);
    } finally {
      button.disabled = false;
    }
  };
}
