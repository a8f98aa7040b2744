// The refusals only the redeem form meets: the voucher's, and the seats it can pay for.
import { msg, str } from '@lit/localize';
import type { Problem } from '../../internal/api.js';
import { formProblemMessage } from '../../internal/form-problem-messages.js';
import { formatDate, formatMoney } from '../../internal/format.js';
import { plural, type Locale } from '../../internal/locale.js';

export function voucherProblemMessage(problem: Problem, locale: Locale): string {
  switch (problem.code) {
    case 'invalid_request':
      return problem.errors?.some((error) => error.path === 'code')
        ? msg('This is not a voucher code. Check it against your card.')
        : formProblemMessage(problem);
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
    default:
      return formProblemMessage(problem);
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
