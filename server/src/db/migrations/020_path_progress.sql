-- Integrated paths made live (docs/api.md, "Paths"): a beneficiary's captured redemptions stamp the
-- steps of the paths of the offer's circuit, a reversal takes its stamp back, and completing a path
-- queues `path.completed` and issues the path's bonus voucher, all in the transaction of the
-- redemption row's change. Triggers on `redemptions` do it, so every way a redemption is captured
-- (redeem_batch(), a counter's capture, the hold sweeper's sync) or reversed stamps the same way.

-- path.completed joins the events organizations subscribe to (webhookEventTypes in events.ts).
create or replace function webhook_event_types() returns text[]
language sql immutable as $$
  select array['sponsorship.succeeded', 'voucher.issued', 'voucher.expiring', 'voucher.expired', 'redemption.held',
               'redemption.captured', 'redemption.voided', 'redemption.reversed', 'settlement.created',
               'path.completed']
$$;

-- One row per beneficiary and path, written at the first stamp. `stamps[n]` is the redemption that
-- stamped step n (1-based, the position in the circuit's `paths[].steps`), null while it is not.
-- A path is completed once: a later reversal takes its stamp back, not the completion or the bonus.
create table path_progress (
  -- derived_id(beneficiary_id, 'path:' || path_id): the id of the completion event's object.
  id uuid not null unique,
  beneficiary_id uuid not null references beneficiaries (id),
  path_id uuid not null,
  circuit_id uuid not null references circuits (id),
  stamps uuid[] not null default '{}',
  completed_at timestamptz,
  -- The bonus the operator had set when the path was completed: issued, or pending while its pool
  -- lacked the money (issued later, when the referrer asks for the card and the pool has it).
  bonus_status text check (bonus_status in ('issued', 'pending')),
  bonus_pool_id uuid references pools (id),
  bonus_amount bigint check (bonus_amount > 0),
  bonus_valid_days integer check (bonus_valid_days between 1 and 730),
  -- derived_id(id, 'bonus'); its ISSUE is derived_id(bonus_voucher_id, 'issue').
  bonus_voucher_id uuid references vouchers (id),
  -- When the referrer had the bonus voucher's code and PIN made (once).
  bonus_card_issued_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (beneficiary_id, path_id),
  constraint a_bonus_is_whole check ((bonus_status is null) = (bonus_amount is null)
                                     and (bonus_status is null) = (bonus_pool_id is null)
                                     and (bonus_status is null) = (bonus_valid_days is null)),
  constraint issued_bonuses_have_a_voucher check ((bonus_status = 'issued') = (bonus_voucher_id is not null)),
  constraint bonuses_follow_completion check (bonus_status is null or completed_at is not null)
);

create index path_progress_by_circuit on path_progress (circuit_id, path_id);

-- Issues the bonus of a completed path from its pool, once: the voucher's id and its ISSUE's derive
-- from the progress row, so a retry finds them. The pool's account is locked first: if it has not
-- the money the bonus stays pending and nothing is written to the ledger (no overdraft). The
-- voucher's code and PIN are random hashes nobody knows until the referrer has its card made.
-- Returns the bonus status. The caller holds the progress row's lock.
create function path_bonus_issue(progress_id uuid) returns text
language plpgsql as $$
declare
  p path_progress;
  pool accounts;
  voucher_id uuid;
  referrer uuid;
  outcome text;
begin
  select * into p from path_progress where id = progress_id;
  if p.bonus_status is distinct from 'pending' then
    return p.bonus_status;
  end if;
  select * into pool from accounts where id = p.bonus_pool_id for update;
  if pool.credits_posted - pool.debits_posted - pool.debits_pending < p.bonus_amount then
    return 'pending';
  end if;
  voucher_id := derived_id(p.id, 'bonus');
  perform ledger_create_accounts(jsonb_build_array(jsonb_build_object(
    'id', voucher_id, 'kind', 'voucher', 'currency', pool.currency, 'pool_account_id', pool.id,
    'reference', 'voucher:' || voucher_id)));
  select b.referrer_id into referrer from beneficiaries b where b.id = p.beneficiary_id;
  insert into vouchers (id, referrer_id, beneficiary_id, pool_id, circuit_id, amount, currency, code_hash, code_hint,
                        pin_hash, expires_at)
  values (voucher_id, referrer, p.beneficiary_id, p.bonus_pool_id, p.circuit_id, p.bonus_amount, pool.currency,
          sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())), '', sha256(uuid_send(gen_random_uuid())),
          now() + make_interval(days => p.bonus_valid_days))
  on conflict (id) do nothing;
  select t.result into outcome from ledger_create_transfers(jsonb_build_array(jsonb_build_object(
    'id', derived_id(voucher_id, 'issue'), 'code', 'ISSUE', 'debit_account_id', pool.id,
    'credit_account_id', voucher_id, 'amount', p.bonus_amount::text,
    'reference', 'path_bonus:' || p.id))) t;
  if outcome not in ('ok', 'exists') then
    raise exception 'the ledger refused the bonus ISSUE of path progress %: %', p.id, outcome;
  end if;
  update path_progress set bonus_status = 'issued', bonus_voucher_id = voucher_id, updated_at = now()
    where id = p.id;
  return 'issued';
end
$$;

-- Stamps the paths with the captured redemptions `captured`. A redemption stamps, on every path of
-- its offer's circuit, one step that names its offer or its offer's category: on a free path the
-- first such step not yet stamped (a step naming the offer itself before a category step); on an
-- ordered path only the next step to take (the first not stamped), when it matches. Each progress
-- row is locked (in beneficiary and path order) before it is read, so concurrent captures stamp one
-- after the other and a path completes once; completing queues `path.completed` for the circuit's
-- operator and the beneficiary's referrer and issues the bonus. When no path names the offers, it
-- costs the one query that finds nothing.
create function paths_stamp(captured uuid[]) returns void
language plpgsql
set plan_cache_mode = force_generic_plan as $$
declare
  c record;
  p path_progress;
  step integer;
  total integer;
  bonus text;
  completing boolean;
  events jsonb[] := '{}';
begin
  for c in
    select r.id as redemption_id, r.offer_id, f.category, v.beneficiary_id, b.referrer_id, ci.id as circuit_id,
           ci.operator_id, ci.currency, path.value as path, (path.value ->> 'id')::uuid as path_id
    from redemptions r
      join offers f on f.id = r.offer_id
      join circuits ci on ci.id = f.circuit_id
      cross join lateral jsonb_array_elements(ci.paths) path
      join vouchers v on v.id = r.voucher_id
      join beneficiaries b on b.id = v.beneficiary_id
    where r.id = any(captured) and jsonb_array_length(ci.paths) > 0
      and jsonb_path_exists(path.value, '$.steps[*] ? (@.offer_id == $offer || @.category == $category)',
                            jsonb_build_object('offer', r.offer_id, 'category', f.category))
    order by v.beneficiary_id, (path.value ->> 'id')::uuid, r.id
  loop
    insert into path_progress (id, beneficiary_id, path_id, circuit_id)
    values (derived_id(c.beneficiary_id, 'path:' || c.path_id), c.beneficiary_id, c.path_id, c.circuit_id)
    on conflict do nothing;
    select * into p from path_progress where beneficiary_id = c.beneficiary_id and path_id = c.path_id for update;
    continue when c.redemption_id = any(p.stamps);
    total := jsonb_array_length(c.path -> 'steps');
    select s.n into step
    from jsonb_array_elements(c.path -> 'steps') with ordinality s (step, n)
    where (s.step ->> 'offer_id' = c.offer_id::text or s.step ->> 'category' = c.category)
      and p.stamps[s.n] is null
      and (not (c.path ->> 'ordered')::boolean
           or s.n = (select min(g) from generate_series(1, total) g where p.stamps[g] is null))
    order by s.step ? 'offer_id' desc, s.n
    limit 1;
    continue when step is null;
    p.stamps[step] := c.redemption_id;
    completing := p.completed_at is null
       and (select count(*) from generate_series(1, total) g where p.stamps[g] is not null) = total;
    if completing then
      p.completed_at := now();
      if c.path -> 'bonus' is not null and jsonb_typeof(c.path -> 'bonus') = 'object' then
        p.bonus_status := 'pending';
        p.bonus_pool_id := (c.path -> 'bonus' ->> 'pool_id')::uuid;
        p.bonus_amount := (c.path -> 'bonus' ->> 'amount')::bigint;
        p.bonus_valid_days := coalesce((c.path -> 'bonus' ->> 'valid_days')::int, 365);
      end if;
    end if;
    update path_progress set stamps = p.stamps, completed_at = p.completed_at, bonus_status = p.bonus_status,
           bonus_pool_id = p.bonus_pool_id, bonus_amount = p.bonus_amount, bonus_valid_days = p.bonus_valid_days,
           updated_at = now()
      where id = p.id;
    continue when not completing;
    bonus := null;
    if p.bonus_status is not null then
      -- A pool that cannot pay never fails the capture: the bonus stays pending and says why.
      begin
        bonus := path_bonus_issue(p.id);
      exception when others then
        raise warning 'path bonus of progress % left pending: %', p.id, sqlerrm;
        bonus := 'pending';
      end;
    end if;
    events := events || jsonb_build_object(
      'id', derived_id(p.id, 'path.completed'), 'type', 'path.completed',
      'organizations', jsonb_build_array(c.operator_id, c.referrer_id),
      'data', jsonb_build_object(
        'id', p.id, 'object', 'path_completion', 'circuit_id', c.circuit_id, 'path_id', c.path_id,
        'path_name', c.path -> 'name', 'beneficiary_id', c.beneficiary_id, 'steps', total,
        'completed_at', api_time(p.completed_at),
        'bonus', case when bonus is null then null else jsonb_build_object(
          'status', bonus, 'amount', p.bonus_amount, 'currency', c.currency, 'pool_id', p.bonus_pool_id,
          'voucher_id', case when bonus = 'issued' then derived_id(p.id, 'bonus') end) end));
  end loop;
  if cardinality(events) > 0 then
    perform webhook_enqueue(to_jsonb(events));
  end if;
end
$$;

-- Takes back the stamps of the redemptions `reversed`: the steps they stamped are to take again.
create function paths_unstamp(reversed uuid[]) returns void
language sql as $$
  update path_progress p
  set stamps = array(select case when s = any(x.redemptions) then null else s end
                     from unnest(p.stamps) with ordinality u (s, n) order by n),
      updated_at = now()
  from (select v.beneficiary_id, array_agg(r.id) as redemptions
        from redemptions r join vouchers v on v.id = r.voucher_id
        where r.id = any(reversed) group by v.beneficiary_id) x
  where p.beneficiary_id = x.beneficiary_id and p.stamps && x.redemptions
$$;

create function redemptions_stamp_created() returns trigger
language plpgsql as $$
begin
  perform paths_stamp(array(select id from created where status = 'captured'));
  return null;
end
$$;

create function redemptions_stamp_changed() returns trigger
language plpgsql as $$
declare
  captured uuid[];
  reversed uuid[];
begin
  select array_agg(n.id) filter (where n.status = 'captured' and o.status <> 'captured'),
         array_agg(n.id) filter (where n.status = 'reversed' and o.status = 'captured')
    into captured, reversed
    from changed n join previous o on o.id = n.id
    where n.status <> o.status;
  if captured is not null then perform paths_stamp(captured); end if;
  if reversed is not null then perform paths_unstamp(reversed); end if;
  return null;
end
$$;

-- Statement triggers: one call per statement (redeem_batch() writes a whole batch in one), not per row.
create trigger redemptions_stamp_paths_on_insert after insert on redemptions
  referencing new table as created for each statement execute function redemptions_stamp_created();
create trigger redemptions_stamp_paths_on_update after update on redemptions
  referencing old table as previous new table as changed for each statement execute function redemptions_stamp_changed();
