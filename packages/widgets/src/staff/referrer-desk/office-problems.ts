// The refusals only a school's or association's office meets: a reference that would identify a
// young person or is already used, an allocation or a fund that is not enough.
import { msg, str } from '@lit/localize';
import type { Problem } from '../../internal/api.js';
import { formatMoney } from '../../internal/format.js';
import type { Locale } from '../../internal/locale.js';
import { deskProblemMessage } from '../internal/desk-problems.js';

/** A refusal with `allocation_left` too (docs/api.md, Errors). */
export type OfficeProblem = Problem & { allocation_left?: number };

export function officeProblemMessage(problem: OfficeProblem, locale: Locale): string {
  const aboutReference = problem.errors?.some((error) => error.path === 'reference') === true;
  switch (problem.code) {
    case 'invalid_request':
      return aboutReference
        ? msg('This reference looks like personal data (a name, a date, an email address, a phone number or a codice fiscale). Use your own code, such as 3B-07.')
        : deskProblemMessage(problem);
    case 'conflict':
      return aboutReference ? msg('You already have a beneficiary with this reference.') : deskProblemMessage(problem);
    case 'allocation_exceeded':
      return problem.allocation_left === undefined
        ? msg("Over your allocation. The circuit's operator can raise it.")
        : msg(str`Over your allocation: ${formatMoney(problem.allocation_left, 'EUR', locale)} left to issue. The circuit's operator can raise it.`);
    case 'insufficient_funds':
      return msg("The fund has not enough money left for these vouchers. Ask the circuit's operator.");
    case 'not_found':
      return msg('A beneficiary or the fund was not found: reload the page and try again.');
    case 'card_already_issued':
      return msg('This bonus card was printed already: its code and PIN are shown only once. If the card is lost, its money goes back to the fund when the voucher expires.');
    default:
      return deskProblemMessage(problem);
  }
}
