// The password-reset page: /reset#token=... from the mail chooses a new password; /reset alone asks for
// the mail.
import { $, finish, graphql, mailRequestForm, show, status, takeToken } from './api.js';

const SECTIONS = ['request', 'choose', 'done'];
const token = takeToken();

function askForMail(message) {
  status(message ?? '');
  show(SECTIONS, 'request');
  $('email').focus();
  mailRequestForm(
    SECTIONS,
    $('request-form'),
    'requestPasswordReset',
    'Check your mail',
    'If this address belongs to an account, a link to choose a new password is on its way. It works for 30 minutes.',
  );
}

function choosePassword() {
  show(SECTIONS, 'choose');
  $('password').focus();
  $('choose-form').onsubmit = async (event) => {
    event.preventDefault();
    status('');
    if ($('password').value !== $('repeat').value) {
      status('The two passwords differ.');
      $('repeat').select();
      return;
    }
    $('choose-button').disabled = true;
    try {
      await graphql(
        'mutation Reset($token: String!, $password: String!) { resetPassword(token: $token, newPassword: $password) }',
        {
          token,
          password: $('password').value,
        },
      );
      finish(SECTIONS, 'Password changed', 'You were signed out everywhere. Sign in with your new password.');
    } catch (error) {
      if (error.field === 'token') askForMail(`${error.message} Ask for a new link below.`);
      else {
        status(error.message);
        $('password').select();
      }
    } finally {
      $('choose-button').disabled = false;
    }
  };
}

if (token) choosePassword();
else askForMail();
