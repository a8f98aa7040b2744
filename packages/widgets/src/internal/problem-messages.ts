// What a person at the screen reads for each refusal of the API (docs/api.md, Errors): what
// happened and what to do next. Called while an element renders, so msg() answers in its locale.
// A widget's texts are those of the modules it imports: the refusals only forms can meet are in
// form-problem-messages.ts, the voucher's in the redeem form's voucher-problems.ts.
import { msg, str } from '@lit/localize';
import type { Problem } from './api.js';

/** What any widget can meet: no answer, nothing there, or a fault on our side. */
export function problemMessage(problem: Problem): string {
  switch (problem.code) {
    case 'network_error':
      return msg('No connection to Mentoring. Check your internet connection, then try again.');
    case 'not_found':
      return msg('Not found: it may have been removed. Please tell the site\'s owner.');
    default:
      return msg(str`Something went wrong on our side. Try again in a moment; if it happens again, tell the site's owner (reference ${reference(problem)}).`);
  }
}

/** What the person can quote to the site's owner: the request id, else the code. */
export function reference(problem: Problem): string {
  return problem.request_id ?? problem.code;
}
