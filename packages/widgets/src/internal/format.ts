// The one place that formats money, numbers and dates: Intl, in the element's locale.
import type { LocalizedText } from './api.js';
import type { Locale } from './locale.js';

/** Cents as the locale writes money: `€ 15,00` in Italian, `€15.00` in English. */
export function formatMoney(cents: number, currency: string, locale: Locale): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(cents / 100);
}

export function formatNumber(value: number, locale: Locale): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** A day, `31 agosto 2027`; with `time`, also the hour, for events. Shown in Italian time, where the circuits are. */
export function formatDate(iso: string, locale: Locale, { time = false } = {}): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'long',
    ...(time ? { timeStyle: 'short' } : {}),
    timeZone: 'Europe/Rome',
  }).format(new Date(iso));
}

/** The text in the locale, else Italian, which the API always has. */
export function localizedText(text: LocalizedText, locale: Locale): string {
  return text[locale] ?? text.it;
}

/** The hour of a moment, `21:05`, in Italian time (the staff desks' lists of the day). */
export function formatTime(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone: 'Europe/Rome' }).format(new Date(iso));
}
