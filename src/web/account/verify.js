// The confirmation page: /verify#token=... from the sign-up mail confirms the address at once.
import { $, finish, graphql, mailRequestForm, show, status, takeToken } from './api.js';

const SECTIONS = ['request', 'done'];
const token = takeToken();

function askForMail(message) {
  status(message);
  show(SECTIONS, 'request');
  $('email').focus();
  mailRequestForm(
    SECTIONS,
    $('request-form'),
    'requestEmailVerification',
    'Check your mail',
    'If this address needs confirming, a new link is on its way. It works for 30 minutes.',
  );
}

async function confirm() {
  status('Confirming…');
  try {
    await graphql('mutation Verify($token: String!) { verifyEmail(token: $token) }', { token });
    status('');
    finish(
      SECTIONS,
      'Email address confirmed',
      'You can now sign in with it, and reset your password should you forget it.',
    );
  } catch (error) {
    askForMail(error.field === 'token' ? `${error.message} Ask for a new link below.` : error.message);
  }
}

if (token) confirm();
else askForMail('This link is incomplete. Open it exactly as the mail shows it, or ask for a new one.');
