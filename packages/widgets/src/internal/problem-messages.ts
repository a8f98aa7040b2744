// What a person at the screen reads for each refusal of the API (docs/api.md, Errors): what
// happened and what to do next. Called while an element renders, so msg() answers in its locale.
import { msg, str } from '@lit/localize';
import type { Problem } from './api.js';
import { formatDate, formatMoney } from './format.js';
import { plural, type Locale } from './locale.js';

export function problemMessage(problem: Problem, locale: Locale): string {
  switch (problem.code) {
    case 'network_error':
      return msg('No connection to Mentoring. Check your internet connection, then try again.');
    case 'missing_key':
    case 'unauthorized':
    case 'forbidden':
    case 'forbidden_origin':
      return msg(str`This page cannot use Mentoring yet: its set-up is incomplete. Please tell the site's owner (reference ${reference(problem)}).`);
    case 'invalid_request':
      return problem.errors?.some((error) => error.path === 'code')
        ? msg('This is not a voucher code. Check it against your card.')
        : msg(str`Something in the form was not accepted. Check it and try again (reference ${reference(problem)}).`);
    case 'not_found':
      return msg('Not found: it may have been removed. Please tell the site\'s owner.');
    case 'voucher_expired':
      return problem.expired_at === undefined
        ? msg('This voucher has expired. The school or association that gave it to you can tell you more.')
        : msg(str`This voucher expired on ${formatDate(problem.expired_at, locale)}. The school or association that gave it to you can tell you more.`);
    case 'voucher_locked':
      return msg('This voucher is locked after too many wrong PINs. The school or association that gave it to you can unlock it.');
    case 'wrong_pin': {
      const left = problem.attempts_left ?? 0;
      return plural(left, locale, {
        one: () => msg(str`Wrong PIN. ${left} attempt left before the voucher locks.`),
        other: () => msg(str`Wrong PIN. ${left} attempts left before the voucher locks.`),
      });
    }
    case 'restriction_mismatch':
      return restrictionMessage(problem.restriction);
    case 'sold_out': {
      const left = problem.seats_left ?? 0;
      return left === 0
        ? msg('Sold out: no seats for vouchers are left for this event.')
        : plural(left, locale, {
            one: () => msg(str`Only ${left} seat is left: choose fewer seats.`),
            other: () => msg(str`Only ${left} seats are left: choose fewer seats.`),
          });
    }
    case 'insufficient_funds':
      return problem.available === undefined || problem.amount === undefined
        ? msg('Not enough left on the voucher for this.')
        : msg(
            str`Not enough left on the voucher: ${formatMoney(problem.available, 'EUR', locale)} left, and this costs ${formatMoney(problem.amount, 'EUR', locale)}. Choose fewer seats.`,
          );
    case 'rate_limited': {
      const seconds = problem.retry_after ?? 60;
      return msg(str`Too many attempts in a short time. Try again in ${seconds} seconds.`);
    }
    case 'payment_failed':
      return msg('The payment was declined and nothing was charged. Try again, or use another payment method.');
    case 'conflict':
      return msg('This is no longer possible: the event has started or the campaign has closed.');
    case 'idempotency_in_flight':
      return msg('Your previous request is still being processed. Wait a moment, then try again.');
    default:
      return msg(str`Something went wrong on our side. Try again in a moment; if it happens again, tell the site's owner (reference ${reference(problem)}).`);
  }
}

/** Why a voucher cannot pay for this offer, from the restriction the API or the voucher check names. */
function restrictionMessage(restriction: Problem['restriction']): string {
  switch (restriction) {
    case 'category':
      return msg('This voucher is for another kind of event (for example music instead of theatre). Choose an event it covers.');
    case 'offer':
      return msg('This voucher is for other events. Choose one of the events it was given for.');
    case 'provider':
      return msg('This voucher is for other places. Use it where it was given for.');
    default:
      return msg('This voucher belongs to another circuit and cannot be used here.');
  }
}

function reference(problem: Problem): string {
  return problem.request_id ?? problem.code;
}
