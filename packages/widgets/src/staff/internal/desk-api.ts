/**
 * What the staff desks read and write, as the API answers it with a desk key (server/src/routes/*.ts
 * define the schemas; written out here so the desks carry no zod). Calls go through request(), the
 * widgets' one client; a statement's CSV, the one answer that is not JSON, through fetchFile().
 */
import { ApiProblem, request, type ApiSettings, type LocalizedText, type Offer, type Page, type Redemption, type VoucherRestrictions } from '../../internal/api.js';

/** GET /v1/organizations/me */
export interface Organization {
  id: string;
  kind: 'provider' | 'mentor' | 'referrer' | 'operator';
  name: string;
}

/** A redemption as a box office sees it (GET /v1/redemptions, capture, void, reverse). */
export interface DeskRedemption extends Omit<Redemption, 'voucher_available'> {
  channel: 'in_page' | 'counter';
  captured_seats: number;
  captured_amount: number;
  reversed_amount: number;
  hold_expires_at: string;
  created_at: string;
  captured_at: string | null;
}

/** A redemption's own steps (POST /v1/redemptions at the counter, capture, void, reverse): the redemption and what its voucher has left. */
export interface RedemptionWithBalance extends DeskRedemption {
  voucher_available: number;
}

/** GET /v1/settlements (the lines come with GET /v1/settlements/{id} and its CSV). */
export interface Settlement {
  id: string;
  period_end: string;
  amount: number;
  currency: string;
  redemptions: number;
  created_at: string;
}

export type Language = 'it' | 'en' | 'sq';

/** A language by its own name, as its speakers look for it in a list. */
export function languageName(language: Language): string {
  return { it: 'Italiano', en: 'English', sq: 'Shqip' }[language];
}
export type AgeBand = '0-13' | '14-17' | '18-25' | '26+';

/** GET /v1/beneficiaries: known only by the referrer's own reference, an age band and a language. */
export interface Beneficiary {
  id: string;
  reference: string | null;
  age_band: AgeBand;
  language: Language;
  created_at: string;
  erased_at: string | null;
}

/** GET /v1/vouchers: never the code or the PIN. */
export interface Voucher {
  id: string;
  beneficiary_id: string;
  pool_id: string;
  amount: number;
  available: number;
  spent: number;
  currency: string;
  expires_at: string;
  restrictions: VoucherRestrictions;
  locked: boolean;
  code_hint: string;
  created_at: string;
}

/** POST /v1/vouchers/batch: the code and the PIN, in this answer only. */
export interface IssuedVoucher extends Voucher {
  code: string;
  pin: string;
}

/** GET /v1/beneficiaries/{id}/paths: a path of the beneficiary's circuits, and its bonus. */
export interface BeneficiaryPath {
  path_id: string;
  name: LocalizedText;
  completed_at: string | null;
  bonus: {
    status: 'to_earn' | 'pending' | 'issued';
    amount: number;
    currency: string;
    voucher_id: string | null;
    card_issued_at: string | null;
  } | null;
}

/** GET /v1/allocations: how much the referrer may still issue from a pool. */
export interface Allocation {
  pool_id: string;
  circuit_id: string;
  amount: number;
  issued: number;
  remaining: number;
}

/** GET /v1/pools/{id} */
export interface Pool {
  id: string;
  kind: 'general' | 'campaign' | 'fund' | 'need';
  name: string;
}

export type { Offer };

/** The most a list answers at once. */
const pageLimit = 100;

/**
 * Every page of a list (`?limit=100&starting_after=…`): a desk shows a whole day, a class, a
 * season. `cursor` is what `starting_after` takes: the id, or the pool of an allocation.
 */
export async function listAll<T>(api: ApiSettings, path: string, cursor = (item: T) => (item as { id: string }).id): Promise<T[]> {
  const all: T[] = [];
  const separator = path.includes('?') ? '&' : '?';
  for (let more = true; more; ) {
    const after = all.length === 0 ? '' : `&starting_after=${cursor(all[all.length - 1]!)}`;
    const page = await request<Page<T>>(api, 'GET', `${path}${separator}limit=${pageLimit}${after}`, { authorized: true, fresh: true });
    all.push(...page.data);
    more = page.has_more;
  }
  return all;
}

/** A file the API answers (a statement's CSV), as its bytes, with request()'s key and refusals. */
export async function fetchFile(api: ApiSettings, path: string): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(new URL(path, api.apiOrigin), {
      headers: { Authorization: `Bearer ${api.publishableKey ?? ''}` },
      credentials: 'omit',
      cache: 'no-cache',
    });
  } catch {
    throw new ApiProblem({ code: 'network_error', status: 0 });
  }
  if (response.ok) return response.blob();
  const problem = (await response.json().catch(() => ({}))) as { code?: string; request_id?: string };
  throw new ApiProblem({ ...problem, code: problem.code ?? 'internal_error', status: response.status });
}

/** What a mentor's money did in one month, category, or in all (GET /v1/mentors/me/impact). */
export interface ImpactFigures {
  /** Succeeded sponsorships, in cents. */
  given: number;
  sponsorships: number;
  seats_funded: number;
  /** The mentor's share of the seats used, to a tenth. */
  seats_used: number;
  /** What those seats cost, the mentor's share, in cents. */
  used: number;
}

/** GET /v1/mentors/me/impact: figures only, nobody named. */
export interface MentorImpact {
  mentor: { id: string; name: string };
  currency: string;
  totals: ImpactFigures;
  months: (ImpactFigures & { month: string })[];
  categories: (ImpactFigures & { category: string | null; name: LocalizedText | null })[];
  languages: { language: Language; beneficiaries: number }[];
  thank_you_notes: { id: string; text: string; language: Language; created_at: string }[];
}

/** GET /v1/thanks: a young person's anonymous note, for the school to check. */
export interface ThankYouNote {
  id: string;
  status: 'pending' | 'approved' | 'rejected';
  text: string;
  language: Language;
  offer: { id: string; title: LocalizedText; provider_name: string };
  created_at: string;
  moderated_at: string | null;
}

/** GET /v1/mentors/me/adoptions: a need of the needs board the mentor adopted, and what its money became. */
export interface Adoption {
  need: {
    id: string;
    title: Partial<LocalizedText>;
    referrer_name: string;
    status: 'open' | 'funded' | 'expired' | 'closed';
    seats: number;
    seats_funded: number;
    currency: string;
  };
  given_amount: number;
  pending_amount: number;
  seats_given: number;
  outcome: { vouchers_issued: number; issued_amount: number; seats_used: number };
}
