-- The needs board (issue 8): a referrer posts what a class or group needs ("class 3B, 22 students,
-- opera season"), mentors adopt it in full or in part into the need's own pool, and the referrer
-- turns the pool into vouchers. No personal data: the texts are checked by the API like references.

alter table pools drop constraint pools_kind_check;
alter table pools add constraint pools_kind_check check (kind in ('general', 'campaign', 'fund', 'need'));

create table needs (
  id uuid primary key,
  referrer_id uuid not null references organizations (id),
  circuit_id uuid not null references circuits (id),
  -- The need's own pool (a ledger account): adoptions fund it, its vouchers are issued from it.
  pool_id uuid not null unique references pools (id),
  category text not null check (length(category) between 1 and 64),
  offer_id uuid references offers (id),
  title localized_text not null,
  description localized_text,
  seats integer not null check (seats between 1 and 10000),
  amount minor_units not null,
  currency currency_code not null,
  deadline timestamptz not null,
  -- When succeeded adoptions first reached the amount (need.funded was queued then).
  funded_at timestamptz,
  -- When the referrer withdrew it; what it holds stays for the referrer's vouchers.
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  -- Every seat costs the same whole number of cents: €330 for 22 seats is €15 each.
  constraint seats_share_the_amount check (amount % seats = 0)
);

create index needs_by_referrer on needs (referrer_id, id);
create index needs_by_circuit on needs (circuit_id, id);

-- An adoption is a sponsorship earmarked to a need; its pool is the need's.
alter table sponsorships add column need_id uuid references needs (id);
create index sponsorships_by_need on sponsorships (need_id, id) where need_id is not null;

create or replace function webhook_event_types() returns text[]
language sql immutable as $$
  select array['sponsorship.succeeded', 'voucher.issued', 'voucher.expiring', 'voucher.expired', 'redemption.held',
               'redemption.captured', 'redemption.voided', 'redemption.reversed', 'settlement.created',
               'path.completed', 'need.adopted', 'need.funded']
$$;
