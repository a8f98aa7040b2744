import { msg, str } from '@lit/localize';
import type { Problem } from '../../internal/api.js';
import { formProblemMessage } from '../../internal/form-problem-messages.js';
import { plural, type Locale } from '../../internal/locale.js';

/** What a young person reads when a thank-you note is refused: what happened and what to do. */
export function thanksProblemMessage(problem: Problem, locale: Locale): string {
  switch (problem.code) {
    case 'wrong_pin': {
      const left = problem.attempts_left;
      if (left === undefined) return msg('Wrong PIN. Check it on your card.');
      return plural(left, locale, {
        one: () => msg(str`Wrong PIN. ${left} attempt left before the card locks.`),
        other: () => msg(str`Wrong PIN. ${left} attempts left before the card locks.`),
      });
    }
    case 'voucher_locked':
      return msg('This card is locked after too many wrong PINs. Your school can unlock it.');
    case 'rate_limited':
      return msg(str`Too many attempts: try again in ${problem.retry_after ?? 60} seconds.`);
    case 'voucher_expired':
      return msg('This card has expired, so it cannot send thanks any more.');
    case 'not_found':
      return msg('No booking of this card matches. Check the code of the card you used.');
    case 'conflict':
      return msg('You already said thanks for this booking. Thank you!');
    case 'invalid_request':
      if (problem.errors?.[0]?.path === 'text') return msg('Leave out names, codes such as your class, addresses, phone numbers, emails and dates: the note stays anonymous.');
      if (problem.errors?.[0]?.path === 'code') return msg('This is not a card code: check it, it looks like MNT-7K3Q-9XPA-W2DC-8.');
      return formProblemMessage(problem);
    default:
      return formProblemMessage(problem);
  }
}
