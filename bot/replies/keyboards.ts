import { Markup } from 'telegraf';
import type { Translate } from '../i18n/index.js';

/** The two ways to connect a chat: one-tap registration or linking an email account. */
export const connectKeyboard = (t: Translate) =>
  Markup.inlineKeyboard([
    Markup.button.callback(t('start.quickRegister'), 'connect:register'),
    Markup.button.callback(t('start.linkAccount'), 'connect:link'),
  ]);
