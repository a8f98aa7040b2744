-- The ledger: TigerBeetle's account/transfer model on PostgreSQL (docs/ledger.md).
-- Only the functions below write these tables; server/src/ledger/ledger.ts calls them.

-- Accounts hold four counters. Which way money may flow is fixed by the account's kind and the
-- transfer's code (ledger_flow_allowed); the limits are CHECK constraints the database enforces.
create table accounts (
  id uuid primary key,
  kind text not null
    check (kind in ('sponsor_funding', 'pool', 'voucher', 'provider_payable', 'payouts')),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  -- The pool a voucher is issued from and expires back to; the per-pool reconciliation follows it.
  pool_account_id uuid references accounts (id),
  -- The business object, for people reading the ledger (e.g. 'voucher:…').
  reference text check (length(reference) <= 200),
  debits_must_not_exceed_credits boolean not null,
  credits_must_not_exceed_debits boolean not null,
  debits_pending bigint not null default 0 check (debits_pending >= 0),
  debits_posted bigint not null default 0 check (debits_posted >= 0),
  credits_pending bigint not null default 0 check (credits_pending >= 0),
  credits_posted bigint not null default 0 check (credits_posted >= 0),
  created_at timestamptz not null default now(),
  constraint vouchers_belong_to_a_pool check ((kind = 'voucher') = (pool_account_id is not null)),
  constraint one_limit_at_most check (not (debits_must_not_exceed_credits and credits_must_not_exceed_debits)),
  constraint debits_must_not_exceed_credits
    check (not debits_must_not_exceed_credits or debits_pending + debits_posted <= credits_posted),
  constraint credits_must_not_exceed_debits
    check (not credits_must_not_exceed_debits or credits_pending + credits_posted <= debits_posted)
);

create index accounts_by_pool on accounts (pool_account_id) where pool_account_id is not null;

-- Transfers are immutable and identified by the client's id: sending one twice applies it once.
--   FUND sponsor_funding→pool, REFUND pool→sponsor_funding, ISSUE pool→voucher,
--   HOLD voucher→provider_payable (pending, with a timeout), resolved once by CAPTURE (posts
--   ≤ the hold, releases the rest), VOID or HOLD_EXPIRED (release all); REVERSE
--   provider_payable→voucher, EXPIRE voucher→pool (what is left), SETTLE provider_payable→payouts.
create table transfers (
  id uuid primary key,
  seq bigint generated always as identity,
  code text not null
    check (code in ('FUND', 'REFUND', 'ISSUE', 'HOLD', 'CAPTURE', 'VOID', 'HOLD_EXPIRED',
                    'REVERSE', 'EXPIRE', 'SETTLE')),
  debit_account_id uuid not null references accounts (id),
  credit_account_id uuid not null references accounts (id),
  -- 10^11 minor units (a billion euros): larger is a bug, never a payment.
  amount bigint not null check (amount > 0 and amount <= 100000000000),
  pending_id uuid references transfers (id),
  expires_at timestamptz,
  reference text check (length(reference) <= 200),
  created_at timestamptz not null default now(),
  constraint accounts_must_be_different check (debit_account_id <> credit_account_id),
  constraint holds_expire check ((code = 'HOLD') = (expires_at is not null)),
  constraint resolutions_name_their_hold
    check ((code in ('CAPTURE', 'VOID', 'HOLD_EXPIRED')) = (pending_id is not null)),
  constraint hold_resolves_once unique (pending_id)
);

create index transfers_by_debit_account on transfers (debit_account_id, seq);
create index transfers_by_credit_account on transfers (credit_account_id, seq);
create index transfers_by_reference on transfers (reference) where reference is not null;

-- The holds not yet resolved. A resolution takes the hold's row lock here, so capture, void and
-- the sweeper serialise on it, and the sweeper finds due holds without scanning history.
create table open_holds (
  hold_id uuid primary key references transfers (id),
  expires_at timestamptz not null
);

create index open_holds_by_expiry on open_holds (expires_at);

create function ledger_refuse_change() returns trigger
language plpgsql as $$
begin
  raise exception '% on % refused: the ledger is append-only', tg_op, tg_table_name
    using errcode = '55000';
end
$$;

create trigger transfers_are_immutable before update or delete on transfers
  for each row execute function ledger_refuse_change();
create trigger transfers_are_not_truncated before truncate on transfers
  for each statement execute function ledger_refuse_change();
-- Counters change; what an account is never does. Fires only when one of these columns is set.
create trigger accounts_keep_their_identity
  before update of id, kind, currency, pool_account_id, reference,
    debits_must_not_exceed_credits, credits_must_not_exceed_debits on accounts
  for each row execute function ledger_refuse_change();
create trigger accounts_are_not_deleted before delete on accounts
  for each row execute function ledger_refuse_change();
create trigger accounts_are_not_truncated before truncate on accounts
  for each statement execute function ledger_refuse_change();

-- The chart of flows: which code may move money from which kind of account to which.
create function ledger_flow_allowed(code text, debit accounts, credit accounts) returns boolean
language sql immutable as $$
  select case code
    when 'FUND' then debit.kind = 'sponsor_funding' and credit.kind = 'pool'
    when 'REFUND' then debit.kind = 'pool' and credit.kind = 'sponsor_funding'
    when 'ISSUE' then debit.kind = 'pool' and credit.kind = 'voucher'
      and credit.pool_account_id = debit.id
    when 'HOLD' then debit.kind = 'voucher' and credit.kind = 'provider_payable'
    when 'REVERSE' then debit.kind = 'provider_payable' and credit.kind = 'voucher'
    when 'EXPIRE' then debit.kind = 'voucher' and credit.kind = 'pool'
      and debit.pool_account_id = credit.id
    when 'SETTLE' then debit.kind = 'provider_payable' and credit.kind = 'payouts'
    else false
  end
$$;

create function ledger_account_matches(existing accounts, account jsonb) returns boolean
language sql immutable as $$
  select existing.kind = account->>'kind'
    and existing.currency = account->>'currency'
    and existing.pool_account_id is not distinct from (account->>'pool_account_id')::uuid
    and existing.reference is not distinct from account->>'reference'
$$;

-- Fields the client left out (the accounts of a capture, the amount of a void or an expiry)
-- were filled in by the ledger and are not compared.
create function ledger_transfer_matches(existing transfers, transfer jsonb) returns boolean
language sql immutable as $$
  select existing.code = transfer->>'code'
    and (transfer->>'debit_account_id' is null
         or existing.debit_account_id = (transfer->>'debit_account_id')::uuid)
    and (transfer->>'credit_account_id' is null
         or existing.credit_account_id = (transfer->>'credit_account_id')::uuid)
    and (transfer->>'amount' is null or existing.amount = (transfer->>'amount')::bigint)
    and existing.pending_id is not distinct from (transfer->>'pending_id')::uuid
    and existing.reference is not distinct from transfer->>'reference'
$$;

-- Creates accounts; one result per account: ok, exists, exists_with_different_fields,
-- pool_not_found, currency_mismatch. The flags follow the kind: a pool, a voucher and a
-- provider's payable can never be overdrawn; the sponsors' funding never returns more than it gave.
create function ledger_create_accounts(batch jsonb)
returns table (account_id uuid, result text)
language plpgsql as $$
declare
  account jsonb;
  new_kind text;
  existing accounts;
  pool accounts;
begin
  for account in select value from jsonb_array_elements(batch) loop
    account_id := (account->>'id')::uuid;
    new_kind := account->>'kind';
    select * into existing from accounts where id = account_id;
    if found then
      result := case when ledger_account_matches(existing, account) then 'exists'
                     else 'exists_with_different_fields' end;
      return next;
      continue;
    end if;
    if new_kind = 'voucher' then
      select * into pool from accounts
        where id = (account->>'pool_account_id')::uuid and kind = 'pool';
      if not found then
        result := 'pool_not_found';
        return next;
        continue;
      end if;
      if pool.currency <> account->>'currency' then
        result := 'currency_mismatch';
        return next;
        continue;
      end if;
    end if;
    insert into accounts (id, kind, currency, pool_account_id, reference,
                          debits_must_not_exceed_credits, credits_must_not_exceed_debits)
    values (account_id, new_kind, account->>'currency', (account->>'pool_account_id')::uuid,
            account->>'reference', new_kind in ('pool', 'voucher', 'provider_payable'),
            new_kind = 'sponsor_funding')
    on conflict (id) do nothing;
    if found then
      result := 'ok';
    else
      -- Created by a concurrent call since the lookup above.
      select * into existing from accounts where id = account_id;
      result := case when ledger_account_matches(existing, account) then 'exists'
                     else 'exists_with_different_fields' end;
    end if;
    return next;
  end loop;
end
$$;

-- Applies one transfer whose accounts (and hold) the caller has locked. Every check runs before
-- the first write, so a refused transfer writes nothing and needs no savepoint.
create function ledger_apply_transfer(transfer jsonb, out result text, out applied bigint)
language plpgsql as $$
declare
  new_id constant uuid := (transfer->>'id')::uuid;
  new_code constant text := transfer->>'code';
  new_amount bigint := (transfer->>'amount')::bigint;
  new_pending_id constant uuid := (transfer->>'pending_id')::uuid;
  new_expires_at timestamptz;
  existing transfers;
  hold transfers;
  debit accounts;
  credit accounts;
begin
  select * into existing from transfers where id = new_id;
  if found then
    result := case when ledger_transfer_matches(existing, transfer) then 'exists'
                   else 'exists_with_different_fields' end;
    applied := existing.amount;
    return;
  end if;

  if new_code in ('CAPTURE', 'VOID') then
    select * into hold from transfers where id = new_pending_id and code = 'HOLD';
    if not found then
      result := 'hold_not_found';
      return;
    end if;
    if hold.debit_account_id <> coalesce((transfer->>'debit_account_id')::uuid, hold.debit_account_id)
       or hold.credit_account_id <> coalesce((transfer->>'credit_account_id')::uuid, hold.credit_account_id) then
      result := 'accounts_do_not_match_hold';
      return;
    end if;
    if not exists (select from open_holds where hold_id = new_pending_id) then
      result := 'hold_already_resolved';
      return;
    end if;
    if hold.expires_at <= now() then
      result := 'hold_expired';
      return;
    end if;
    if new_code = 'VOID' then
      new_amount := hold.amount;
    elsif new_amount > hold.amount then
      result := 'exceeds_hold';
      return;
    end if;
    select * into debit from accounts where id = hold.debit_account_id;
    select * into credit from accounts where id = hold.credit_account_id;
  else
    select * into debit from accounts where id = (transfer->>'debit_account_id')::uuid;
    if not found then
      result := 'debit_account_not_found';
      return;
    end if;
    select * into credit from accounts where id = (transfer->>'credit_account_id')::uuid;
    if not found then
      result := 'credit_account_not_found';
      return;
    end if;
    if not ledger_flow_allowed(new_code, debit, credit) then
      result := 'flow_not_allowed';
      return;
    end if;
    if debit.currency <> credit.currency then
      result := 'currency_mismatch';
      return;
    end if;
    if new_code = 'EXPIRE' then
      new_amount := debit.credits_posted - debit.debits_posted - debit.debits_pending;
      if new_amount <= 0 then
        result := 'nothing_to_expire';
        return;
      end if;
    end if;
    if debit.debits_must_not_exceed_credits
       and debit.debits_pending + debit.debits_posted + new_amount > debit.credits_posted then
      result := 'insufficient_funds';
      return;
    end if;
    if credit.credits_must_not_exceed_debits
       and credit.credits_pending + credit.credits_posted + new_amount > credit.debits_posted then
      result := 'exceeds_debits';
      return;
    end if;
    if new_code = 'HOLD' then
      new_expires_at := now() + make_interval(secs => (transfer->>'timeout_seconds')::int);
    end if;
  end if;

  insert into transfers (id, code, debit_account_id, credit_account_id, amount, pending_id,
                         expires_at, reference)
  values (new_id, new_code, debit.id, credit.id, new_amount, new_pending_id, new_expires_at,
          transfer->>'reference')
  on conflict (id) do nothing;
  if not found then
    -- Inserted by a concurrent call (with other accounts, so not serialised by their locks).
    select * into existing from transfers where id = new_id;
    result := case when ledger_transfer_matches(existing, transfer) then 'exists'
                   else 'exists_with_different_fields' end;
    applied := existing.amount;
    return;
  end if;

  case new_code
    when 'HOLD' then
      insert into open_holds (hold_id, expires_at) values (new_id, new_expires_at);
      update accounts set debits_pending = debits_pending + new_amount where id = debit.id;
      update accounts set credits_pending = credits_pending + new_amount where id = credit.id;
    when 'CAPTURE', 'VOID' then
      delete from open_holds where hold_id = new_pending_id;
      update accounts
        set debits_pending = debits_pending - hold.amount,
            debits_posted = debits_posted + case when new_code = 'CAPTURE' then new_amount else 0 end
        where id = debit.id;
      update accounts
        set credits_pending = credits_pending - hold.amount,
            credits_posted = credits_posted + case when new_code = 'CAPTURE' then new_amount else 0 end
        where id = credit.id;
    else
      update accounts set debits_posted = debits_posted + new_amount where id = debit.id;
      update accounts set credits_posted = credits_posted + new_amount where id = credit.id;
  end case;
  result := 'ok';
  applied := new_amount;
end
$$;

-- Applies a batch of transfers in one transaction, one result per transfer, in order. A transfer
-- with "linked": true is chained to the next one: a chain applies whole or not at all (the one
-- that failed says why, the others say linked_event_failed). Locks are taken up front, holds
-- then accounts, each in id order, so concurrent batches never deadlock.
create function ledger_create_transfers(batch jsonb)
returns table (transfer_id uuid, result text, applied_amount bigint)
language plpgsql as $$
declare
  size constant int := jsonb_array_length(batch);
  results text[] := array_fill(null::text, array[size]);
  amounts bigint[] := array_fill(null::bigint, array[size]);
  chain_start int := 0;
  chain_end int;
  failed int;
  outcome record;
begin
  if size > 8190 then
    raise exception 'a batch holds at most 8190 transfers, not %', size using errcode = '22023';
  end if;

  perform from open_holds
    where hold_id in (select (e->>'pending_id')::uuid from jsonb_array_elements(batch) e)
    order by hold_id for update;
  perform from accounts
    where id in (
      select (e->>'debit_account_id')::uuid from jsonb_array_elements(batch) e
      union select (e->>'credit_account_id')::uuid from jsonb_array_elements(batch) e
      union select unnest(array[h.debit_account_id, h.credit_account_id]) from transfers h
        where h.id in (select (e->>'pending_id')::uuid from jsonb_array_elements(batch) e))
    order by id for update;

  while chain_start < size loop
    chain_end := chain_start;
    while coalesce((batch->chain_end->>'linked')::boolean, false) loop
      chain_end := chain_end + 1;
      if chain_end = size then
        raise exception 'the last transfer of a batch cannot be linked' using errcode = '22023';
      end if;
    end loop;

    if chain_end = chain_start then
      select * into outcome from ledger_apply_transfer(batch->chain_start);
      results[chain_start + 1] := outcome.result;
      amounts[chain_start + 1] := outcome.applied;
    else
      begin
        for member in chain_start..chain_end loop
          select * into outcome from ledger_apply_transfer(batch->member);
          results[member + 1] := outcome.result;
          amounts[member + 1] := outcome.applied;
          if outcome.result not in ('ok', 'exists') then
            failed := member;
            raise exception using errcode = 'MN001';
          end if;
        end loop;
      exception when sqlstate 'MN001' then
        -- The chain's writes are rolled back; the arrays, being variables, are not.
        for member in chain_start..chain_end loop
          if member <> failed then
            results[member + 1] := 'linked_event_failed';
            amounts[member + 1] := null;
          end if;
        end loop;
      end;
    end if;
    chain_start := chain_end + 1;
  end loop;

  return query
    select (batch->(n - 1)->>'id')::uuid, results[n], amounts[n]
    from generate_series(1, size) n
    order by n;
end
$$;

-- Releases up to max_holds holds whose timeout has passed, each with a HOLD_EXPIRED transfer.
-- Holds that a capture or a void is resolving right now are skipped, not waited for; the
-- caller repeats until it gets 0. Returns how many were released.
create function ledger_expire_holds(max_holds int) returns int
language plpgsql as $$
declare
  due uuid[];
  hold transfers;
begin
  select array_agg(hold_id) into due from (
    select hold_id from open_holds where expires_at <= now()
    order by expires_at limit max_holds
    for update skip locked) d;
  if due is null then
    return 0;
  end if;
  perform from accounts
    where id in (select unnest(array[h.debit_account_id, h.credit_account_id])
                 from transfers h where h.id = any(due))
    order by id for update;
  for hold in select * from transfers where id = any(due) order by id loop
    insert into transfers (id, code, debit_account_id, credit_account_id, amount, pending_id)
    values (gen_random_uuid(), 'HOLD_EXPIRED', hold.debit_account_id, hold.credit_account_id,
            hold.amount, hold.id);
    update accounts set debits_pending = debits_pending - hold.amount where id = hold.debit_account_id;
    update accounts set credits_pending = credits_pending - hold.amount where id = hold.credit_account_id;
  end loop;
  delete from open_holds where hold_id = any(due);
  return cardinality(due);
end
$$;
