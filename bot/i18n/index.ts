import i18next, { type TFunction } from 'i18next';
import { en } from './en.js';
import { ru } from './ru.js';

/** The languages the bot replies in; anything else gets English. */
export const LANGUAGES = ['en', 'ru'] as const;
export type BotLanguage = (typeof LANGUAGES)[number];

const i18n = i18next.createInstance();
// Resources are in memory, so init finishes synchronously.
void i18n.init({
  resources: { en: { translation: en }, ru: { translation: ru } },
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  // Replies are plain text (no parse mode): nothing to escape.
  interpolation: { escapeValue: false },
  initAsync: false,
});

/** The language for an IETF tag as Telegram reports it ("ru", "ru-RU", "en-GB", undefined). */
export function languageOf(tag: string | null | undefined): BotLanguage {
  const base = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(base ?? '') ? (base as BotLanguage) : 'en';
}

export type Translate = TFunction;

/** The translate function for a language. */
export const translator = (language: BotLanguage): Translate => i18n.getFixedT(language);

/** What each language is called in itself, for the /language buttons. */
export const LANGUAGE_NAMES: Record<BotLanguage, string> = { en: 'English', ru: 'Русский' };

/** Where the bot caches a Telegram user's chosen language (the API keeps it on the user). */
export const languageKey = (telegramId: number | string) => `tg:${telegramId}:language`;
export const LANGUAGE_TTL_SECONDS = 30 * 24 * 3600;
/** Cached when the user has chosen none: Telegram's language_code applies, and no sign-in is needed to know. */
export const NO_CHOICE = '-';
