// The refusals only the box office meets: the voucher's, the seats', a hold's and a cancellation's,
// worded for the person at the counter, who tells the beneficiary what to do.
import { msg, str } from '@lit/localize';
import type { Problem } from '../../internal/api.js';
import { formatDate, formatMoney } from '../../internal/format.js';
import { plural, type Locale } from '../../internal/locale.js';
import { deskProblemMessage } from '../internal/desk-problems.js';

/** A refusal with the problem's `reversible_until` and `settlement_id` too (docs/api.md, Errors). */
export type CounterProblem = Problem & { reversible_until?: string; settlement_id?: string };

export function counterProblemMessage(problem: CounterProblem, locale: Locale): string {
  switch (problem.code) {
    case 'not_found':
      return msg('No voucher or booking of this box office has this code. Check it against the card or the ticket.');
    case 'wrong_pin': {
      const left = problem.attempts_left ?? 0;
      return plural(left, locale, {
        one: () => msg(str`Wrong PIN: ${left} attempt left before the voucher locks. Let the beneficiary type it again.`),
        other: () => msg(str`Wrong PIN: ${left} attempts left before the voucher locks. Let the beneficiary type it again.`),
      });
    }
    case 'voucher_locked':
      return msg('This voucher is locked after five wrong PINs. The school or association that issued it can unlock it.');
    case 'voucher_expired':
      return problem.expired_at === undefined
        ? msg('This voucher has expired.')
        : msg(str`This voucher expired on ${formatDate(problem.expired_at, locale)}.`);
    case 'restriction_mismatch':
      return msg('This voucher cannot be used for this event (another kind of event, other events or other places). Choose an event it covers.');
    // One seat may already cost more than is left, and a hold of this voucher not yet confirmed keeps its money.
    case 'insufficient_funds':
      return problem.available === undefined || problem.amount === undefined
        ? msg('Not enough left on the voucher for this.')
        : msg(
            str`The voucher has ${formatMoney(problem.available, 'EUR', locale)} left and this costs ${formatMoney(problem.amount, 'EUR', locale)}. Choose fewer seats or another event; the money of a booking not yet confirmed comes back once it is released.`,
          );
    case 'sold_out':
      return problem.seats_left === 0
        ? msg('Sold out: no seats for vouchers are left for this event.')
        : msg(str`Only ${problem.seats_left ?? 0} seats for vouchers are left: choose fewer.`);
    case 'hold_expired':
      return msg('The hold ran out after 15 minutes and the seats went back on sale. Check the voucher again.');
    case 'hold_already_resolved':
      return msg('This booking was already confirmed, released or timed out.');
    case 'exceeds_hold':
      return msg('More seats than were held or confirmed.');
    case 'cancellation_window_closed':
      return problem.reversible_until === undefined
        ? msg('Too late to cancel this booking.')
        : msg(str`Too late to cancel: bookings for this event could be cancelled until ${formatDate(problem.reversible_until, locale, { time: true })}.`);
    case 'already_settled':
      return msg('The theatre was already paid for this booking in a settlement, so it cannot be cancelled here any more.');
    default:
      return deskProblemMessage(problem);
  }
}
