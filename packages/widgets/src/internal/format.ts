// The one place that formats money, numbers and dates: Intl, in the element's locale.
import type { LocalizedText } from './api.js';
import type { Locale } from './locale.js';

/** Cents as the locale writes money: `€ 15,00` in Italian, `€15.00` in English. */
export function formatMoney(cents: number, currency: string, locale: Locale): string {
  return formatNumber(cents / 100, locale, { style: 'currency', currency });
}

// Each Intl call gets [locale, 'it']: Italian where the browser has no data for the element's
// locale (Debian's Chromium has none for Albanian), as the circuits are in Italy.
export function formatNumber(value: number, locale: Locale, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat([locale, 'it'], options).format(value);
}

/** A day, `31 agosto 2027`; with `time`, also the hour, for events. Shown in Italian time, where the circuits are. */
export function formatDate(iso: string, locale: Locale, { time = false } = {}): string {
  return new Intl.DateTimeFormat([locale, 'it'], {
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
  return new Intl.DateTimeFormat([locale, 'it'], { timeStyle: 'short', timeZone: 'Europe/Rome' }).format(new Date(iso));
}

/** A calendar month of the API (`2026-03`): `marzo 2026`, or with `short`, `mar 2026` (the staff impact page). */
export function formatMonth(month: string, locale: Locale, { short = false } = {}): string {
  const [year, number] = month.split('-').map(Number);
  return new Intl.DateTimeFormat([locale, 'it'], { month: short ? 'short' : 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(year!, number! - 1, 1)),
  );
}
