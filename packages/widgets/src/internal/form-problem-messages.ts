import { msg, str } from '@lit/localize';
import type { Problem } from './api.js';
import { problemMessage, reference } from './problem-messages.js';

/** What a widget that books or pays with the page's publishable key can meet too. */
export function formProblemMessage(problem: Problem): string {
  switch (problem.code) {
    case 'missing_key':
    case 'unauthorized':
    case 'forbidden':
    case 'forbidden_origin':
      return msg(str`This page is not set up for Mentoring yet. Please tell the site's owner (reference ${reference(problem)}).`);
    case 'invalid_request':
      return msg(str`Something in the form was not accepted. Check it and try again (reference ${reference(problem)}).`);
    case 'conflict':
      return msg('This is no longer possible: the event has started or the campaign has closed.');
    case 'idempotency_in_flight':
      return msg('Your previous request is still being processed. Wait a moment, then try again.');
    default:
      return problemMessage(problem);
  }
}
