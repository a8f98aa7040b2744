/**
 * The one client of the Mentoring API the widgets use. The types mirror the server's responses
 * (server/src/routes/*.ts, where zod schemas define them); they are written out here so that the
 * browser bundle carries neither zod nor server code.
 */

/** Text in the circuit's languages; Italian is always present. */
export type LocalizedText = { it: string; en?: string; sq?: string };

/** GET /v1/offers/{id} */
export interface Offer {
  id: string;
  circuit_id: string;
  provider_id: string;
  provider_name: string;
  category: string;
  title: LocalizedText;
  venue: string | null;
  starts_at: string;
  seat_price: number;
  currency: string;
  seats_left: number;
}

export interface VoucherRestrictions {
  circuit_id: string;
  categories: string[];
  offer_ids: string[];
  provider_ids: string[];
}

/** POST /v1/vouchers/check */
export interface VoucherCheck {
  voucher_id: string;
  code_hint: string;
  available: number;
  currency: string;
  expires_at: string;
  restrictions: VoucherRestrictions;
}

/** POST /v1/redemptions (in-page: captured at once) */
export interface Redemption {
  id: string;
  status: 'held' | 'captured' | 'voided' | 'expired' | 'reversed';
  offer_id: string;
  seats: number;
  seat_price: number;
  amount: number;
  currency: string;
  booking_reference: string;
  qr_payload: string;
  reversible_until: string;
  /** What is left on the voucher after this booking. */
  voucher_available: number;
}

/** GET /v1/public/campaigns/{id} */
export interface PublicCampaign {
  id: string;
  circuit: { id: string; name: string };
  title: LocalizedText;
  offer: { id: string; title: LocalizedText; venue: string | null; starts_at: string; provider_name: string } | null;
  seat_price: number;
  currency: string;
  target_seats: number;
  seats_funded: number;
  funded_amount: number;
  sponsors_count: number;
  deadline: string;
  recent_sponsors: { display_name: string; message: string | null; seats: number }[];
}

/** GET /v1/public/needs?circuit=… (each of its `data`) */
export interface PublicNeed {
  id: string;
  circuit: { id: string; name: string };
  referrer_name: string;
  category: { slug: string; name: Partial<LocalizedText> };
  offer: { id: string; title: Partial<LocalizedText>; venue: string | null; starts_at: string; provider_name: string } | null;
  title: Partial<LocalizedText>;
  description: Partial<LocalizedText> | null;
  status: 'open' | 'funded' | 'expired' | 'closed';
  seats: number;
  seat_price: number;
  amount: number;
  currency: string;
  funded_amount: number;
  seats_funded: number;
  adoptions_count: number;
  /** Promised by adoptions waiting for a bank transfer: held for them for up to 10 days. */
  pending_amount: number;
  open_amount: number;
  deadline: string;
}

/** POST /v1/sponsorships: a campaign's seats, or a need's adoption. */
export type NewSponsorship = ({ campaign_id: string } | { need_id: string }) & {
  seats?: number;
  amount?: number;
  display_name?: string;
  anonymous: boolean;
  message?: string;
  payment_provider?: string;
  payment_method?: string;
};

export interface Sponsorship {
  id: string;
  status: 'pending' | 'succeeded' | 'failed' | 'refunded';
  campaign_id: string | null;
  need_id: string | null;
  seats: number | null;
  amount: number;
  currency: string;
  display_name: string | null;
  anonymous: boolean;
  receipt_reference: string;
  /** A need's adoption waiting for its bank transfer keeps its part of the need until then. */
  reserved_until: string | null;
  payment_instructions: Record<string, string> | null;
}

export type BadgeKind = 'circuit' | 'provider' | 'mentor';

/** GET /v1/public/badges/{kind}/{id} */
export interface Badge {
  kind: BadgeKind;
  id: string;
  name: string;
  circuit: { id: string; name: string } | null;
  season: { name: string; starts_at: string; ends_at: string };
  seats_sponsored: number;
  seats_redeemed?: number;
}

/** A page of a list: `?limit=…&starting_after=<id>` gives the next. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
}

export type DirectoryKind = 'provider' | 'referrer' | 'mentor';

/** An entry of GET /v1/public/directory */
export interface DirectoryEntry {
  id: string;
  kind: DirectoryKind;
  display_name: string;
  description: LocalizedText | null;
  categories: string[];
  languages: string[];
  location: { city: string; address: string | null; latitude: number | null; longitude: number | null } | null;
  website: string | null;
  contact_email: string | null;
}

/** GET /v1/public/directory: a page, and the circuit with what its filters offer. */
export interface DirectoryPage extends Page<DirectoryEntry> {
  circuit: { id: string; name: string; categories: { slug: string; name: LocalizedText }[]; languages: string[] };
}

/** An entry of GET /v1/public/stories */
export interface PublicStory {
  id: string;
  circuit: { id: string; name: string };
  author: { id: string; kind: 'provider' | 'referrer'; name: string };
  title: LocalizedText;
  body: LocalizedText;
  /** `url` is a path on the API's origin. */
  photo: { url: string; width: number; height: number; alt: LocalizedText } | null;
  numbers: { seats_redeemed: number; offers?: number; vouchers_issued?: number; paths_completed: number; as_of: string };
  published_at: string;
}

/**
 * An RFC 9457 problem as the API answers it (docs/api.md), with the extension members the widgets
 * use. `network_error` and `missing_key` are the widgets' own codes: no answer came, or the page
 * gave no publishable key.
 */
/** One path of a circuit with the stamps of a voucher's holder (POST /v1/public/path-progress). */
export interface PublicPath {
  id: string;
  name: LocalizedText;
  ordered: boolean;
  steps: { position: number; title: LocalizedText; stamped: boolean }[];
  steps_done: number;
  steps_total: number;
  completed: boolean;
  bonus: { status: 'to_earn' | 'pending' | 'issued'; amount: number; currency: string } | null;
}

export interface PathProgress {
  circuit: { id: string; name: string };
  paths: PublicPath[];
}

export interface Problem {
  code: string;
  status: number;
  title?: string;
  detail?: string;
  request_id?: string;
  errors?: { path: string; message: string }[];
  attempts_left?: number;
  seats_left?: number;
  available?: number;
  amount?: number;
  restriction?: 'circuit' | 'category' | 'offer' | 'provider';
  retry_after?: number;
  expired_at?: string;
}

/** A refusal of the API (or no answer at all), carrying the problem to show. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail ?? problem.title ?? problem.status}`);
  }
}

/** The problem of a refusal, to show; anything else is a bug and is thrown on. */
export function problemOf(error: unknown): Problem {
  if (error instanceof ApiProblem) return error.problem;
  throw error;
}

export interface ApiSettings {
  /** Origin of the Mentoring server, e.g. `https://api.mentoring.example`. */
  apiOrigin: string;
  publishableKey: string | undefined;
}

export interface RequestOptions {
  body?: unknown;
  /** Sends the publishable key; the public endpoints need none. */
  authorized?: boolean;
  /** Revalidates with the server instead of taking the browser's cached copy. */
  fresh?: boolean;
  /** The same key for a retry of the same intent, so a booking or a payment is never made twice. */
  idempotencyKey?: string;
}

/**
 * Calls the API: `method path` on the server of `settings`, with its publishable key when
 * `authorized`. No cookies: `credentials: 'omit'`. A refusal, or no answer, throws an ApiProblem.
 */
export async function request<T>(settings: ApiSettings, method: 'GET' | 'POST', path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.authorized) {
    const key = settings.publishableKey;
    if (key === undefined) throw new ApiProblem({ code: 'missing_key', status: 0 });
    headers['Authorization'] = `Bearer ${key}`;
  }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.idempotencyKey !== undefined) headers['Idempotency-Key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(new URL(path, settings.apiOrigin), {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      credentials: 'omit',
      cache: options.fresh ? 'no-cache' : 'default',
    });
  } catch {
    throw new ApiProblem({ code: 'network_error', status: 0 });
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok && body !== undefined) return body as T;
  const problem = (body ?? {}) as Partial<Problem>;
  const requestId = problem.request_id ?? response.headers.get('X-Request-Id');
  throw new ApiProblem({
    ...problem,
    code: problem.code ?? 'internal_error',
    status: response.status,
    ...(requestId === null ? {} : { request_id: requestId }),
  });
}
