-- The API's objects (DESIGN §1): who may do what, what is on offer, who funded it, who spends it.
-- Money is never stored here: amounts in these tables describe requests; balances live in the
-- ledger (001_ledger.sql), and pools, vouchers and provider payables ARE ledger accounts (same id).

create domain org_kind as text check (value in ('provider', 'mentor', 'referrer', 'operator'));
create domain key_mode as text check (value in ('test', 'live'));
create domain language_code as text check (value in ('it', 'en', 'sq'));
-- Localized text: {"it": …, "en": …, "sq": …}; at least one language, checked by the API.
create domain localized_text as jsonb check (jsonb_typeof(value) = 'object');
create domain minor_units as bigint check (value > 0 and value <= 100000000000);

-- The two external accounts of the EUR ledger: where sponsors' money comes from and where
-- providers' settlements go. Fixed ids, so every server finds them.
select ledger_create_accounts('[
  {"id": "00000000-0000-7000-8000-000000000001", "kind": "sponsor_funding", "currency": "EUR", "reference": "sponsor_funding:EUR"},
  {"id": "00000000-0000-7000-8000-000000000002", "kind": "payouts", "currency": "EUR", "reference": "payouts:EUR"}
]'::jsonb);

create table organizations (
  id uuid primary key,
  kind org_kind not null,
  name text not null check (length(name) between 1 and 200),
  -- Origins (scheme://host[:port]) whose pages may use this organization's publishable keys.
  allowed_origins text[] not null default '{}',
  -- The operator that registered it; null when the platform admin did.
  managed_by uuid references organizations (id),
  -- A provider's ledger account (provider_payable): what its redemptions captured, until settled.
  payable_account_id uuid unique,
  created_at timestamptz not null default now(),
  constraint providers_have_a_payable_account check ((kind = 'provider') = (payable_account_id is not null))
);

create index organizations_by_origin on organizations using gin (allowed_origins);
create index organizations_by_manager on organizations (managed_by, id) where managed_by is not null;

-- Keys are random (≥ 128 bits) and stored as their SHA-256: a leaked table leaks no key.
create table api_keys (
  id uuid primary key,
  organization_id uuid not null references organizations (id),
  kind text not null check (kind in ('secret', 'publishable', 'desk')),
  mode key_mode not null,
  hash bytea not null unique,
  -- The key's prefix and last four characters, to tell keys apart in lists: sk_test_…a1B2.
  hint text not null,
  label text check (length(label) between 1 and 200),
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

create index api_keys_by_organization on api_keys (organization_id, id);

create table circuits (
  id uuid primary key,
  operator_id uuid not null references organizations (id),
  name text not null check (length(name) between 1 and 200),
  description localized_text,
  currency currency_code not null default 'EUR',
  -- The circuit's general pool (a ledger account), created with the circuit.
  general_pool_id uuid not null unique,
  -- [{"slug": "theatre", "name": {"it": "Teatro", …}}, …]
  categories jsonb not null default '[]' check (jsonb_typeof(categories) = 'array'),
  -- [{"id": …, "name": {…}, "ordered": true, "steps": [{"category": …} | {"offer_id": …}]}, …]
  paths jsonb not null default '[]' check (jsonb_typeof(paths) = 'array'),
  created_at timestamptz not null default now()
);

create index circuits_by_operator on circuits (operator_id, id);

create table circuit_providers (
  circuit_id uuid not null references circuits (id),
  provider_id uuid not null references organizations (id),
  joined_at timestamptz not null default now(),
  primary key (circuit_id, provider_id)
);

create index circuit_providers_by_provider on circuit_providers (provider_id);

-- A fund inside a circuit; its id is its ledger account's id.
create table pools (
  id uuid primary key,
  circuit_id uuid not null references circuits (id),
  kind text not null check (kind in ('general', 'campaign', 'fund')),
  name text not null check (length(name) between 1 and 200),
  currency currency_code not null,
  created_at timestamptz not null default now()
);

create index pools_by_circuit on pools (circuit_id, id);

-- How much a referrer may issue as vouchers from a pool, set by the circuit's operator.
create table allocations (
  referrer_id uuid not null references organizations (id),
  pool_id uuid not null references pools (id),
  amount bigint not null check (amount >= 0 and amount <= 100000000000),
  issued bigint not null default 0,
  updated_at timestamptz not null default now(),
  primary key (referrer_id, pool_id),
  constraint issued_within_allocation check (issued >= 0 and issued <= amount)
);

create table offers (
  id uuid primary key,
  provider_id uuid not null references organizations (id),
  circuit_id uuid not null references circuits (id),
  category text not null check (length(category) between 1 and 64),
  title localized_text not null,
  description localized_text,
  venue text check (length(venue) between 1 and 200),
  starts_at timestamptz not null,
  ends_at timestamptz,
  seat_price minor_units not null,
  currency currency_code not null,
  -- Seats reserved for the programme; held + captured redemptions take them, never more.
  seats_total integer not null check (seats_total between 0 and 100000),
  seats_taken integer not null default 0,
  -- Captured redemptions may be reversed until this long before the offer starts.
  cancellation_window_seconds integer not null default 172800
    check (cancellation_window_seconds between 0 and 31536000),
  created_at timestamptz not null default now(),
  constraint never_oversold check (seats_taken >= 0 and seats_taken <= seats_total),
  constraint provider_is_in_the_circuit foreign key (circuit_id, provider_id)
    references circuit_providers (circuit_id, provider_id)
);

create index offers_by_provider on offers (provider_id, id);
create index offers_by_circuit on offers (circuit_id, id);

-- "Sponsor a seat": seats of an offer (or of the circuit) to be funded into the campaign's own pool.
create table campaigns (
  id uuid primary key,
  circuit_id uuid not null references circuits (id),
  pool_id uuid not null unique references pools (id),
  offer_id uuid references offers (id),
  title localized_text not null,
  description localized_text,
  seat_price minor_units not null,
  target_seats integer not null check (target_seats between 1 and 100000),
  deadline timestamptz not null,
  created_by uuid references organizations (id),
  created_at timestamptz not null default now()
);

create index campaigns_by_circuit on campaigns (circuit_id, id);

create table sponsorships (
  id uuid primary key,
  campaign_id uuid references campaigns (id),
  pool_id uuid not null references pools (id),
  -- The mentor organization, when a mentor's secret key made it; null from a partner site.
  mentor_id uuid references organizations (id),
  key_id uuid references api_keys (id),
  seats integer check (seats between 1 and 10000),
  amount minor_units not null,
  currency currency_code not null,
  display_name text check (length(display_name) between 1 and 100),
  anonymous boolean not null default false,
  message text check (length(message) between 1 and 500),
  status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed', 'refunded')),
  mode key_mode not null,
  payment_provider text not null check (length(payment_provider) between 1 and 40),
  -- The provider's own id for the payment, once it has one.
  payment_id text check (length(payment_id) between 1 and 200),
  receipt_reference text not null unique,
  created_at timestamptz not null default now(),
  succeeded_at timestamptz,
  failed_at timestamptz,
  refunded_at timestamptz,
  unique (payment_provider, payment_id)
);

create index sponsorships_by_campaign on sponsorships (campaign_id, id) where campaign_id is not null;
create index sponsorships_by_mentor on sponsorships (mentor_id, id) where mentor_id is not null;

-- Webhook events already applied, so a provider resending one changes nothing.
create table payment_events (
  payment_provider text not null,
  event_id text not null check (length(event_id) between 1 and 200),
  sponsorship_id uuid not null references sponsorships (id),
  type text not null,
  received_at timestamptz not null default now(),
  primary key (payment_provider, event_id)
);

-- Pseudonymous: the referrer's own reference, never a name, an email or a birth date.
create table beneficiaries (
  id uuid primary key,
  referrer_id uuid not null references organizations (id),
  reference text not null check (length(reference) between 1 and 64),
  age_band text not null check (age_band in ('0-13', '14-17', '18-25', '26+')),
  language language_code not null,
  created_at timestamptz not null default now(),
  unique (referrer_id, reference)
);

create index beneficiaries_by_referrer on beneficiaries (referrer_id, id);

-- A voucher's id is its ledger account's id; its balance is that account's.
create table vouchers (
  id uuid primary key,
  referrer_id uuid not null references organizations (id),
  beneficiary_id uuid not null references beneficiaries (id),
  pool_id uuid not null references pools (id),
  circuit_id uuid not null references circuits (id),
  amount minor_units not null,
  currency currency_code not null,
  -- SHA-256 of the normalized code, and of the voucher id and PIN: both are shown once.
  code_hash bytea not null unique,
  -- The code's last group, so a secretary can tell printed cards apart.
  code_hint text not null,
  pin_hash bytea not null,
  pin_failures integer not null default 0 check (pin_failures >= 0),
  locked_at timestamptz,
  -- Checks and redemptions in the current rate-limit window.
  attempts integer not null default 0,
  attempts_window_started_at timestamptz not null default now(),
  expires_at timestamptz not null,
  -- {"categories": […], "offer_ids": […], "provider_ids": […]}: empty or absent means any.
  restrictions jsonb not null default '{}' check (jsonb_typeof(restrictions) = 'object'),
  created_at timestamptz not null default now()
);

create index vouchers_by_referrer on vouchers (referrer_id, id);
create index vouchers_by_beneficiary on vouchers (beneficiary_id, id);
create index vouchers_by_expiry on vouchers (expires_at);

-- Spending a voucher: its id is the id of its HOLD transfer; the capture, void and reversal
-- transfers have ids derived from it, so a retried step finds its transfer instead of a second one.
-- Written only by redeem_batch() (003_redemptions.sql) together with the seats and the money.
-- No foreign keys: redeem_batch() has read and locked the voucher and the offer (and the key and
-- the provider were just authenticated); none is ever deleted. A key check takes a share lock on
-- the referenced row, and every redemption of a provider would share its key's and its row.
create table redemptions (
  id uuid primary key,
  voucher_id uuid not null,
  offer_id uuid not null,
  provider_id uuid not null,
  key_id uuid,
  channel text not null check (channel in ('in_page', 'counter')),
  status text not null check (status in ('held', 'captured', 'voided', 'expired', 'reversed')),
  seats integer not null check (seats between 1 and 100),
  seat_price minor_units not null,
  amount minor_units not null,
  captured_seats integer not null default 0,
  captured_amount bigint not null default 0,
  reversed_amount bigint not null default 0,
  currency currency_code not null,
  hold_expires_at timestamptz not null,
  booking_reference text not null unique,
  created_at timestamptz not null default now(),
  captured_at timestamptz,
  released_at timestamptz,
  reversed_at timestamptz,
  -- The settlement that paid the provider for it; a settled redemption is no longer reversed.
  settlement_id uuid
);

create index redemptions_by_provider on redemptions (provider_id, id);
create index redemptions_to_settle on redemptions (provider_id, captured_at)
  where settlement_id is null and status in ('captured', 'reversed');
create index redemptions_by_voucher on redemptions (voucher_id, id);
create index redemptions_held_by_expiry on redemptions (hold_expires_at) where status = 'held';

-- What a provider was paid for a period: its captured redemptions not yet settled, less what was
-- reversed of them. The SETTLE transfer (provider_payable → payouts) has the settlement's id.
create table settlements (
  id uuid primary key,
  provider_id uuid not null references organizations (id),
  period_end timestamptz not null,
  amount bigint not null check (amount >= 0),
  redemptions integer not null,
  currency currency_code not null,
  created_at timestamptz not null default now()
);

create index settlements_by_provider on settlements (provider_id, id);

-- Idempotency-Key records: the response a POST gave, replayed for the same key and body.
create table idempotency_keys (
  -- The API key's id, or 'admin' for MENTORING_ADMIN_KEY.
  principal text not null,
  key text not null check (length(key) between 1 and 255),
  request_hash bytea not null,
  status text not null check (status in ('in_flight', 'done')),
  response_status integer,
  response_body text,
  response_content_type text,
  created_at timestamptz not null default now(),
  primary key (principal, key)
);

create index idempotency_keys_by_age on idempotency_keys (created_at);

-- Fixed-window counters shared by every replica: "ip:203.0.113.9" and the like.
create table rate_limits (
  bucket text primary key,
  window_started_at timestamptz not null,
  hits integer not null
);
