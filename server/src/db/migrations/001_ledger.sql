-- The ledger: TigerBeetle's account/transfer model on PostgreSQL (docs/ledger.md).
-- Only the functions below write these tables; server/src/ledger/ledger.ts calls them.

-- Checks on values that never change once written are domains: PostgreSQL checks a domain when a
-- value is written, while a table's CHECK constraints are all evaluated on every UPDATE, and the
-- counters are updated on every transfer.
create domain account_kind as text
  check (value in ('sponsor_funding', 'pool', 'voucher', 'provider_payable', 'payouts'));
create domain currency_code as text check (value ~ '^[A-Z]{3}$');
create domain ledger_reference as text check (length(value) between 1 and 200);
create domain transfer_code as text
  check (value in ('FUND', 'REFUND', 'ISSUE', 'HOLD', 'CAPTURE', 'VOID', 'HOLD_EXPIRED',
                   'REVERSE', 'EXPIRE', 'SETTLE'));
-- 10^11 minor units (a billion euros): larger is a bug, never a payment.
create domain transfer_amount as bigint check (value > 0 and value <= 100000000000);

-- Accounts hold four counters. Which way money may flow is fixed by the account's kind and the
-- transfer's code (ledger_flow_allowed); the limits are CHECK constraints the database enforces.
create table accounts (
  id uuid primary key,
  kind account_kind not null,
  currency currency_code not null,
  -- The pool a voucher is issued from and expires back to; the per-pool reconciliation follows it.
  pool_account_id uuid references accounts (id),
  -- The business object, for people reading the ledger (e.g. 'voucher:…').
  reference ledger_reference,
  debits_must_not_exceed_credits boolean not null,
  credits_must_not_exceed_debits boolean not null,
  debits_pending bigint not null default 0,
  debits_posted bigint not null default 0,
  credits_pending bigint not null default 0,
  credits_posted bigint not null default 0,
  created_at timestamptz not null default now(),
  constraint counters_are_not_negative
    check (debits_pending >= 0 and debits_posted >= 0 and credits_pending >= 0 and credits_posted >= 0),
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
--   provider_payable→voucher (at most what a capture took, back to its voucher), EXPIRE
--   voucher→pool (what is left), SETTLE provider_payable→payouts.
create table transfers (
  id uuid primary key,
  seq bigint generated always as identity,
  code transfer_code not null,
  -- No foreign keys to accounts: the functions lock and read both accounts before writing, and
  -- accounts are never deleted; a key check per transfer cost a tenth of the throughput.
  -- The reconciliation checks that every transfer's accounts exist.
  debit_account_id uuid not null,
  credit_account_id uuid not null,
  amount transfer_amount not null,
  pending_id uuid references transfers (id),
  -- The CAPTURE a REVERSE gives back (in part): the reversals of a capture never exceed it.
  reverses_id uuid references transfers (id),
  expires_at timestamptz,
  reference ledger_reference,
  created_at timestamptz not null default now(),
  constraint accounts_must_be_different check (debit_account_id <> credit_account_id),
  constraint holds_expire check ((code = 'HOLD') = (expires_at is not null)),
  constraint resolutions_name_their_hold
    check ((code in ('CAPTURE', 'VOID', 'HOLD_EXPIRED')) = (pending_id is not null)),
  constraint reversals_name_their_capture check ((code = 'REVERSE') = (reverses_id is not null))
);

create unique index hold_resolves_once on transfers (pending_id) where pending_id is not null;
create index transfers_by_reversed_capture on transfers (reverses_id) where reverses_id is not null;
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
create function ledger_flow_allowed(code text, debit_kind text, credit_kind text,
                                    debit_id uuid, credit_id uuid,
                                    debit_pool_id uuid, credit_pool_id uuid) returns boolean
language sql immutable as $$
  select case code
    when 'FUND' then debit_kind = 'sponsor_funding' and credit_kind = 'pool'
    when 'REFUND' then debit_kind = 'pool' and credit_kind = 'sponsor_funding'
    when 'ISSUE' then debit_kind = 'pool' and credit_kind = 'voucher' and credit_pool_id = debit_id
    when 'HOLD' then debit_kind = 'voucher' and credit_kind = 'provider_payable'
    when 'REVERSE' then debit_kind = 'provider_payable' and credit_kind = 'voucher'
    when 'EXPIRE' then debit_kind = 'voucher' and credit_kind = 'pool' and debit_pool_id = credit_id
    when 'SETTLE' then debit_kind = 'provider_payable' and credit_kind = 'payouts'
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

-- Whether a transfer sent again is the one applied. Fields the client left out (the accounts of
-- a capture, the amount of a void or an expiry) were filled in by the ledger and are not compared.
create function ledger_same_transfer(
  code text, debit_id uuid, credit_id uuid, amount bigint, pending_id uuid, reverses_id uuid,
  reference text, applied_code text, applied_debit_id uuid, applied_credit_id uuid,
  applied_amount bigint, applied_pending_id uuid, applied_reverses_id uuid,
  applied_reference text) returns boolean
language sql immutable as $$
  select code = applied_code
    and (debit_id is null or debit_id = applied_debit_id)
    and (credit_id is null or credit_id = applied_credit_id)
    and (amount is null or amount = applied_amount)
    and pending_id is not distinct from applied_pending_id
    and reverses_id is not distinct from applied_reverses_id
    and reference is not distinct from applied_reference
$$;

-- The 1-based positions of an array's elements. Its row estimate tells the planner what a
-- generic plan cannot know, that a batch's accounts may be hundreds: joined on the estimate of a
-- bare unnest (10 rows) the lookup became a nested loop, quadratic in the batch size.
create function ledger_positions(ids uuid[]) returns table (id uuid, i int)
language plpgsql immutable rows 1000 as $$
begin
  return query select u.id, u.i::int from unnest(ids) with ordinality as u (id, i);
end
$$;

-- Creates accounts; one result per account: ok, exists, exists_with_different_fields,
-- pool_not_found, currency_mismatch. The flags follow the kind: a pool, a voucher and a
-- provider's payable can never be overdrawn; the sponsors' funding never returns more than it gave.
create function ledger_create_accounts(batch jsonb)
returns table (account_id uuid, result text)
language plpgsql
-- The plans of the statements inside are the same for any argument: plan them once per session.
set plan_cache_mode = force_generic_plan as $$
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

-- Applies a batch of transfers in one transaction, one result per transfer, in order. A transfer
-- with "linked": true is chained to the next one: a chain applies whole or not at all (the one
-- that failed says why, the others say linked_event_failed).
--
-- Like TigerBeetle's state machine it works in three steps: lock and read everything the batch
-- touches (the holds it resolves, then the accounts, each in id order, so concurrent batches never
-- deadlock); decide each transfer in order against those balances, held in arrays; write
-- everything with one statement per table. The per-transfer cost is then a few array operations
-- rather than a handful of statements.
create function ledger_create_transfers(batch jsonb)
returns table (transfer_id uuid, result text, applied_amount bigint)
language plpgsql
-- The plans of the statements inside are the same for any argument: plan them once per session.
set plan_cache_mode = force_generic_plan as $$
declare
  size constant int := jsonb_array_length(batch);
  -- The batch, by position.
  t_id uuid[]; t_code text[]; t_debit uuid[]; t_credit uuid[]; t_amount bigint[];
  t_pending uuid[]; t_reverses uuid[]; t_timeout int[]; t_reference text[]; t_linked boolean[];
  -- The first position holding the same id; the position of the HOLD a resolution names, if
  -- that hold is in this batch; the first position resolving the same hold.
  t_first int[]; t_hold_at int[]; t_pending_first int[];
  -- Indexed by t_first: the position where that id was applied in this batch.
  t_applied_at int[];
  -- The account indexes (into a_*) of the transfer's accounts, or of the hold's.
  t_di int[]; t_ci int[]; h_di int[]; h_ci int[];
  -- The transfer already stored under this id, if any.
  x_found boolean[]; x_code text[]; x_debit uuid[]; x_credit uuid[]; x_amount bigint[];
  x_pending uuid[]; x_reverses uuid[]; x_reference text[];
  -- The stored capture a reversal names, if any; the position of that capture if it is in this
  -- batch. What a capture can still give back: at the capture's position for a capture of this
  -- batch, at t_reverses_first (the first position reversing it) for a stored one.
  c_found boolean[]; c_voucher uuid[]; c_provider uuid[]; t_capture_at int[];
  reversible bigint[]; t_reverses_first int[];
  -- The stored hold a resolution names, if any.
  h_found boolean[]; h_amount bigint[]; h_expires timestamptz[];
  -- Whether a hold is still open: at the hold's position for a hold of this batch, at
  -- t_pending_first for a stored hold.
  open_at boolean[];
  -- The accounts, locked, in id order.
  a_id uuid[]; a_kind text[]; a_currency text[]; a_pool uuid[];
  a_debits_limited boolean[]; a_credits_limited boolean[];
  a_dp bigint[]; a_dq bigint[]; a_cp bigint[]; a_cq bigint[]; a_changed boolean[];
  -- What each transfer did.
  r_result text[]; r_amount bigint[]; r_debit uuid[]; r_credit uuid[]; r_expires timestamptz[];
  -- The state at the start of a chain, to go back to when the chain fails.
  s_dp bigint[]; s_dq bigint[]; s_cp bigint[]; s_cq bigint[]; s_open boolean[]; s_applied int[];
  s_reversible bigint[];
  k int;
  earlier int;
  chain_start int := 1;
  chain_end int;
  di int;
  ci int;
  slot int;
  hold_amount bigint;
  hold_expires timestamptz;
  locked_holds uuid[];
  resolves_holds boolean;
  capture_voucher uuid;
  capture_provider uuid;
  moved bigint;
  outcome text;
  written int;
begin
  if size > 8190 then
    raise exception 'a batch holds at most 8190 transfers, not %', size using errcode = '22023';
  end if;
  if size = 0 then
    return;
  end if;

  select array_agg((e->>'id')::uuid), array_agg(e->>'code'),
         array_agg((e->>'debit_account_id')::uuid),
         array_agg((e->>'credit_account_id')::uuid),
         array_agg((e->>'amount')::bigint), array_agg((e->>'pending_id')::uuid),
         array_agg((e->>'reverses_id')::uuid),
         array_agg((e->>'timeout_seconds')::int), array_agg(e->>'reference'),
         array_agg(coalesce((e->>'linked')::boolean, false))
    into t_id, t_code, t_debit, t_credit, t_amount, t_pending, t_reverses, t_timeout, t_reference,
         t_linked
    from jsonb_array_elements(batch) as element (e);
  if t_linked[size] then
    raise exception 'the last transfer of a batch cannot be linked' using errcode = '22023';
  end if;

  resolves_holds := cardinality(array_remove(t_pending, null)) > 0;
  if resolves_holds then
    select array_agg(hold_id) into locked_holds from (
      select hold_id from open_holds where hold_id = any(t_pending) order by hold_id for update) held;
  end if;
  -- NO KEY UPDATE: it does not conflict with the KEY SHARE lock a new voucher takes on its pool.
  select array_agg(id), array_agg(kind), array_agg(currency),
         array_agg(pool_account_id), array_agg(debits_must_not_exceed_credits),
         array_agg(credits_must_not_exceed_debits),
         array_agg(debits_pending), array_agg(debits_posted),
         array_agg(credits_pending), array_agg(credits_posted),
         array_agg(false)
    into a_id, a_kind, a_currency, a_pool, a_debits_limited, a_credits_limited,
         a_dp, a_dq, a_cp, a_cq, a_changed
    from (select * from accounts
          where id = any(t_debit || t_credit || array(
            select unnest(array[h.debit_account_id, h.credit_account_id])
            from transfers h where h.id = any(t_pending)))
          order by id for no key update) locked;

  -- A hold that committed while this batch waited for its locks was not in the lists above: its
  -- row and its accounts are not locked. Start again (Ledger retries 40001); it will be.
  if resolves_holds then
    if exists (select from open_holds
               where hold_id = any(t_pending) and not hold_id = any(coalesce(locked_holds, '{}')))
       or exists (select from transfers h, unnest(array[h.debit_account_id, h.credit_account_id]) account
                  where h.id = any(t_pending) and not account = any(coalesce(a_id, '{}'))) then
      raise exception 'a hold named in this batch was written while it waited for its locks'
        using errcode = '40001';
    end if;
  end if;

  -- Read after the locks: what a batch we waited for wrote is visible now.
  with batch_ as (
    select n::int as n, id, code, debit, credit, pending, reverses,
           min(n) over (partition by id)::int as first_n,
           min(n) over (partition by pending)::int as pending_first,
           min(n) over (partition by reverses)::int as reverses_first
    from unnest(t_id, t_code, t_debit, t_credit, t_pending, t_reverses) with ordinality
      as u (id, code, debit, credit, pending, reverses, n)
  ), holds_in_batch as (
    select id, min(n) as n from batch_ where code = 'HOLD' group by id
  ), captures_in_batch as (
    select id, min(n) as n from batch_ where code = 'CAPTURE' group by id
  ), indexed as (
    select p.id, p.i from ledger_positions(a_id) as p
  )
  -- Aggregated from a sorted subquery: each array is in batch order.
  select array_agg(first_n), array_agg(hold_at), array_agg(pending_first), array_agg(debit_i),
         array_agg(credit_i), array_agg(hold_debit_i), array_agg(hold_credit_i), array_agg(stored),
         array_agg(stored_code), array_agg(stored_debit), array_agg(stored_credit),
         array_agg(stored_amount), array_agg(stored_pending), array_agg(stored_reference),
         array_agg(held), array_agg(held_amount), array_agg(held_until), array_agg(hold_open),
         array_agg(stored_reverses), array_agg(reverses_first), array_agg(captured),
         array_agg(captured_voucher), array_agg(captured_provider), array_agg(still_reversible),
         array_agg(capture_at)
    into t_first, t_hold_at, t_pending_first, t_di, t_ci, h_di, h_ci,
         x_found, x_code, x_debit, x_credit, x_amount, x_pending, x_reference,
         h_found, h_amount, h_expires, open_at,
         x_reverses, t_reverses_first, c_found, c_voucher, c_provider, reversible, t_capture_at
    from (
      select b.n, b.first_n, hb.n as hold_at, b.pending_first, da.i as debit_i, ca.i as credit_i,
             dh.i as hold_debit_i, ch.i as hold_credit_i, x.id is not null as stored,
             x.code as stored_code, x.debit_account_id as stored_debit,
             x.credit_account_id as stored_credit, x.amount as stored_amount,
             x.pending_id as stored_pending, x.reference as stored_reference,
             h.id is not null as held, h.amount as held_amount, h.expires_at as held_until,
             o.hold_id is not null as hold_open, x.reverses_id as stored_reverses,
             b.reverses_first, c.id is not null as captured, c.debit_account_id as captured_voucher,
             c.credit_account_id as captured_provider, c.amount - rv.reversed as still_reversible,
             cb.n as capture_at
      from batch_ b
        left join holds_in_batch hb on hb.id = b.pending
        left join captures_in_batch cb on cb.id = b.reverses
        left join indexed da on da.id = b.debit
        left join indexed ca on ca.id = b.credit
        left join transfers x on x.id = b.id
        left join transfers h on h.id = b.pending and h.code = 'HOLD'
        left join indexed dh on dh.id = h.debit_account_id
        left join indexed ch on ch.id = h.credit_account_id
        left join open_holds o on o.hold_id = h.id
        left join transfers c on c.id = b.reverses and c.code = 'CAPTURE'
        left join lateral (select coalesce(sum(r.amount), 0) as reversed from transfers r
                           where r.reverses_id = c.id) rv on true
      order by b.n) ordered;

  r_result := array_fill(null::text, array[size]);
  r_amount := array_fill(null::bigint, array[size]);
  r_debit := array_fill(null::uuid, array[size]);
  r_credit := array_fill(null::uuid, array[size]);
  r_expires := array_fill(null::timestamptz, array[size]);
  t_applied_at := array_fill(null::int, array[size]);

  while chain_start <= size loop
    chain_end := chain_start;
    while t_linked[chain_end] loop
      chain_end := chain_end + 1;
    end loop;
    if chain_end > chain_start then
      s_dp := a_dp; s_dq := a_dq; s_cp := a_cp; s_cq := a_cq; s_open := open_at;
      s_applied := t_applied_at;
      s_reversible := reversible;
    end if;

    for k in chain_start..chain_end loop
      outcome := null;
      moved := t_amount[k];
      earlier := t_applied_at[t_first[k]];
      if earlier is not null then
        -- Sent twice in this batch.
        outcome := case when ledger_same_transfer(t_code[k], t_debit[k], t_credit[k], t_amount[k],
                                                  t_pending[k], t_reverses[k], t_reference[k],
                                                  t_code[earlier], r_debit[earlier], r_credit[earlier],
                                                  r_amount[earlier], t_pending[earlier],
                                                  t_reverses[earlier], t_reference[earlier])
                        then 'exists' else 'exists_with_different_fields' end;
        r_amount[k] := case when outcome = 'exists' then r_amount[earlier] end;
      elsif x_found[k] then
        outcome := case when ledger_same_transfer(t_code[k], t_debit[k], t_credit[k], t_amount[k],
                                                  t_pending[k], t_reverses[k], t_reference[k],
                                                  x_code[k], x_debit[k], x_credit[k], x_amount[k],
                                                  x_pending[k], x_reverses[k], x_reference[k])
                        then 'exists' else 'exists_with_different_fields' end;
        r_amount[k] := case when outcome = 'exists' then x_amount[k] end;
      elsif t_code[k] in ('CAPTURE', 'VOID') then
        slot := t_applied_at[t_first[t_hold_at[k]]];
        if slot is not null and t_code[slot] = 'HOLD' then
          di := t_di[slot];
          ci := t_ci[slot];
          hold_amount := r_amount[slot];
          hold_expires := r_expires[slot];
        elsif h_found[k] then
          slot := t_pending_first[k];
          di := h_di[k];
          ci := h_ci[k];
          hold_amount := h_amount[k];
          hold_expires := h_expires[k];
        else
          outcome := 'hold_not_found';
        end if;
        if outcome is not null then
          null;
        elsif a_id[di] <> coalesce(t_debit[k], a_id[di]) or a_id[ci] <> coalesce(t_credit[k], a_id[ci]) then
          outcome := 'accounts_do_not_match_hold';
        elsif not open_at[slot] then
          outcome := 'hold_already_resolved';
        elsif hold_expires <= now() then
          outcome := 'hold_expired';
        elsif t_code[k] = 'CAPTURE' and moved > hold_amount then
          outcome := 'exceeds_hold';
        else
          if t_code[k] = 'VOID' then
            moved := hold_amount;
          end if;
          open_at[slot] := false;
          a_dp[di] := a_dp[di] - hold_amount;
          a_cp[ci] := a_cp[ci] - hold_amount;
          if t_code[k] = 'CAPTURE' then
            a_dq[di] := a_dq[di] + moved;
            a_cq[ci] := a_cq[ci] + moved;
            reversible[k] := moved;
          end if;
          outcome := 'ok';
        end if;
      else
        di := t_di[k];
        ci := t_ci[k];
        if t_code[k] = 'REVERSE' then
          slot := t_applied_at[t_first[t_capture_at[k]]];
          if slot is not null and t_code[slot] = 'CAPTURE' then
            capture_voucher := r_debit[slot];
            capture_provider := r_credit[slot];
          elsif c_found[k] then
            slot := t_reverses_first[k];
            capture_voucher := c_voucher[k];
            capture_provider := c_provider[k];
          else
            slot := null;
          end if;
        end if;
        if di is null then
          outcome := 'debit_account_not_found';
        elsif ci is null then
          outcome := 'credit_account_not_found';
        elsif t_code[k] = 'REVERSE' and slot is null then
          outcome := 'capture_not_found';
        elsif t_code[k] = 'REVERSE' and (a_id[di] <> capture_provider or a_id[ci] <> capture_voucher) then
          outcome := 'accounts_do_not_match_capture';
        elsif t_code[k] = 'REVERSE' and moved > reversible[slot] then
          outcome := 'exceeds_capture';
        elsif not ledger_flow_allowed(t_code[k], a_kind[di], a_kind[ci], a_id[di], a_id[ci],
                                      a_pool[di], a_pool[ci]) then
          outcome := 'flow_not_allowed';
        elsif a_currency[di] <> a_currency[ci] then
          outcome := 'currency_mismatch';
        else
          if t_code[k] = 'EXPIRE' then
            moved := a_cq[di] - a_dq[di] - a_dp[di];
          end if;
          if t_code[k] = 'EXPIRE' and moved <= 0 then
            outcome := 'nothing_to_expire';
          elsif a_debits_limited[di] and a_dp[di] + a_dq[di] + moved > a_cq[di] then
            outcome := 'insufficient_funds';
          elsif a_credits_limited[ci] and a_cp[ci] + a_cq[ci] + moved > a_dq[ci] then
            outcome := 'exceeds_debits';
          elsif t_code[k] = 'HOLD' then
            r_expires[k] := now() + make_interval(secs => t_timeout[k]);
            open_at[k] := true;
            a_dp[di] := a_dp[di] + moved;
            a_cp[ci] := a_cp[ci] + moved;
            outcome := 'ok';
          else
            a_dq[di] := a_dq[di] + moved;
            a_cq[ci] := a_cq[ci] + moved;
            if t_code[k] = 'REVERSE' then
              reversible[slot] := reversible[slot] - moved;
            end if;
            outcome := 'ok';
          end if;
        end if;
      end if;

      r_result[k] := outcome;
      if outcome = 'ok' then
        t_applied_at[t_first[k]] := k;
        r_amount[k] := moved;
        r_debit[k] := a_id[di];
        r_credit[k] := a_id[ci];
        a_changed[di] := true;
        a_changed[ci] := true;
      end if;
      if outcome not in ('ok', 'exists') and chain_end > chain_start then
        -- Undo the chain: its balances, its holds, its results.
        a_dp := s_dp; a_dq := s_dq; a_cp := s_cp; a_cq := s_cq; open_at := s_open;
        t_applied_at := s_applied;
        reversible := s_reversible;
        for member in chain_start..chain_end loop
          if member <> k then
            r_result[member] := 'linked_event_failed';
            r_amount[member] := null;
          end if;
        end loop;
        exit;
      end if;
    end loop;
    chain_start := chain_end + 1;
  end loop;

  insert into transfers (id, code, debit_account_id, credit_account_id, amount, pending_id,
                         reverses_id, expires_at, reference)
  select id, code, debit, credit, value, pending, reverses, expires, reference
  from unnest(t_id, t_code, r_debit, r_credit, r_amount, t_pending, t_reverses, r_expires,
              t_reference, r_result)
    as u (id, code, debit, credit, value, pending, reverses, expires, reference, res)
  where res = 'ok'
  on conflict (id) do nothing;
  get diagnostics written = row_count;
  if written <> cardinality(array_positions(r_result, 'ok')) then
    -- Another call stored one of these ids since it was looked up (with other accounts, so the
    -- locks did not order the two). Everything rolls back; sent again, the batch answers exists.
    raise exception 'a transfer id of this batch was stored concurrently' using errcode = '40001';
  end if;

  if 'HOLD' = any(t_code) then
    insert into open_holds (hold_id, expires_at)
    select id, expires from unnest(t_id, t_code, r_expires, r_result, open_at)
      as u (id, code, expires, res, still_open)
    where code = 'HOLD' and res = 'ok' and still_open;
  end if;
  if resolves_holds then
    delete from open_holds where hold_id = any(array(
      select pending from unnest(t_pending, t_code, r_result) as u (pending, code, res)
      where code in ('CAPTURE', 'VOID') and res = 'ok'));
  end if;
  update accounts
    set debits_pending = u.dp, debits_posted = u.dq, credits_pending = u.cp, credits_posted = u.cq
    from unnest(a_id, a_dp, a_dq, a_cp, a_cq, a_changed) as u (id, dp, dq, cp, cq, changed)
    where accounts.id = u.id and u.changed;

  return query
    select u.id, u.res, u.value
    from unnest(t_id, r_result, r_amount) with ordinality as u (id, res, value, n)
    order by u.n;
end
$$;

-- Releases up to max_holds holds whose timeout has passed, each with a HOLD_EXPIRED transfer.
-- Holds that a capture or a void is resolving right now are skipped, not waited for; the
-- caller repeats until it gets 0. Returns how many were released.
create function ledger_expire_holds(max_holds int) returns int
language plpgsql
-- The plans of the statements inside are the same for any argument: plan them once per session.
set plan_cache_mode = force_generic_plan as $$
declare
  due uuid[];
  account_ids uuid[];
  hold transfers;
begin
  select array_agg(hold_id) into due from (
    select hold_id from open_holds where expires_at <= now()
    order by expires_at limit max_holds
    for update skip locked) d;
  if due is null then
    return 0;
  end if;
  select array_agg(account) into account_ids
    from transfers h, unnest(array[h.debit_account_id, h.credit_account_id]) account
    where h.id = any(due);
  perform from accounts where id = any(account_ids) order by id for no key update;
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
