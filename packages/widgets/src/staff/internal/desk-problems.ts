// What staff read for each refusal both desks can meet (docs/api.md, Errors): what happened and what
// to do, worded for the person at the desk, who can ask the organization's administrator. The
// refusals only one desk meets are in its own folder.
import { msg, str } from '@lit/localize';
import type { Problem } from '../../internal/api.js';
import { reference } from '../../internal/problem-messages.js';

export function deskProblemMessage(problem: Problem): string {
  switch (problem.code) {
    case 'network_error':
      return msg('No connection to Mentoring. Check the internet connection, then try again.');
    case 'missing_key':
      return msg('Type your desk key to open the desk.');
    case 'unauthorized':
      return msg('This desk key is not valid: it is mistyped or was revoked. Ask your administrator for a new one.');
    case 'forbidden_origin':
      return msg("Your organization does not allow its keys on this page's address. Ask your administrator to add it.");
    case 'forbidden':
      return msg(str`This key cannot do this. Use your organization's desk key (reference ${reference(problem)}).`);
    case 'not_found':
      return msg('Not found: check what you typed.');
    case 'conflict':
      return msg('Not possible any more: it changed meanwhile, or the event has started.');
    case 'idempotency_in_flight':
      return msg('The previous request is still being processed. Wait a moment, then try again.');
    case 'rate_limited':
      return msg(str`Too many attempts in a short time. Try again in ${problem.retry_after ?? 60} seconds.`);
    case 'invalid_request':
      return msg(str`Not accepted: check what you typed (reference ${reference(problem)}).`);
    default:
      return msg(str`Something went wrong on our side. Try again in a moment; if it happens again, tell your administrator (reference ${reference(problem)}).`);
  }
}
