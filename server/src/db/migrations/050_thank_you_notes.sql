-- Thank-you notes (server/src/routes/thanks.ts): a beneficiary's short anonymous note after a booking,
-- moderated by the referrer that gave the voucher, then shown in the impact of the mentors whose
-- money is in the voucher's pool. A note names its booking (one note each), never the beneficiary.
create table thank_you_notes (
  id uuid primary key,
  redemption_id uuid not null unique references redemptions (id),
  referrer_id uuid not null references organizations (id),
  pool_id uuid not null references pools (id),
  text text not null check (length(text) between 1 and 280),
  language language_code not null,
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  created_at timestamptz not null default now(),
  moderated_at timestamptz,
  constraint moderated_notes_say_when check ((status = 'pending') = (moderated_at is null))
);

create index thank_you_notes_to_moderate on thank_you_notes (referrer_id, status, id);
create index thank_you_notes_approved_by_pool on thank_you_notes (pool_id, created_at) where status = 'approved';

-- The impact of a mentor finds the gifts made with its publishable keys by key.
create index sponsorships_by_key on sponsorships (key_id) where key_id is not null;
