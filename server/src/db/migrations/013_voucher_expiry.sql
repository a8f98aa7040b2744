-- Expiry (server/src/jobs/expiry.ts): what is left on expired vouchers goes back to their pool, a
-- notice goes out 7 days before; and the leases that keep a scheduled job to one server at a time.

-- A job runs where it holds the lease: taken when free or expired, renewed while it works.
create table job_leases (
  name text primary key check (length(name) between 1 and 100),
  holder text not null check (length(holder) between 1 and 200),
  expires_at timestamptz not null,
  taken_at timestamptz not null
);

-- When the job sent voucher.expiring, and when it gave what was left back to the pool. Both mark
-- work done, so a run that stops part-way is resumed by the next, and a second run finds nothing.
alter table vouchers add column expiring_noticed_at timestamptz, add column expired_at timestamptz;

create index vouchers_to_notice on vouchers (expires_at) where expiring_noticed_at is null and expired_at is null;
create index vouchers_to_expire on vouchers (expires_at) where expired_at is null;
