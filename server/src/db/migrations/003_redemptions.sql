-- Opening a voucher with its code and PIN, and redeeming it: one statement each, one round trip.

-- What opening a voucher found. `pin_ok`, `rate_limited` and `locked` say whether it may be used.
create type voucher_unlock_result as (
  id uuid, referrer_id uuid, pool_id uuid, circuit_id uuid, amount bigint, currency text,
  expires_at timestamptz, restrictions jsonb, code_hint text, pin_failures integer, locked boolean,
  pin_ok boolean, rate_limited boolean, available bigint, retry_after integer);

-- Locks the voucher of `code_hash`, counts the attempt in its rate-limit window, checks the PIN,
-- and counts a wrong one towards the lock (a right one clears the count). No row: no such code.
create function voucher_unlock(code_hash bytea, pin text, attempt_limit integer, window_seconds integer,
                               max_pin_failures integer)
returns setof voucher_unlock_result
-- plpgsql, not sql: its statement's plan is cached per connection instead of planned per call.
language plpgsql
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
  with found as (
    select v.id,
           v.attempts_window_started_at <= now() - make_interval(secs => window_seconds) as new_window,
           v.pin_hash = sha256(convert_to(v.id::text || ':' || pin, 'UTF8')) as pin_ok
    from vouchers v where v.code_hash = voucher_unlock.code_hash
    for update
  ), attempt as (
    select f.id, f.new_window, f.pin_ok,
           case when f.new_window then 1 else v.attempts + 1 end as attempts
    from found f join vouchers v on v.id = f.id
  )
  update vouchers v set
    attempts = a.attempts,
    attempts_window_started_at = case when a.new_window then now() else v.attempts_window_started_at end,
    pin_failures = case when a.attempts > attempt_limit or v.locked_at is not null then v.pin_failures
                        when a.pin_ok then 0 else v.pin_failures + 1 end,
    locked_at = case when v.locked_at is null and a.attempts <= attempt_limit and not a.pin_ok
                          and v.pin_failures + 1 >= max_pin_failures then now()
                     else v.locked_at end
  from attempt a, accounts acc
  where v.id = a.id and acc.id = v.id
  returning v.id, v.referrer_id, v.pool_id, v.circuit_id, v.amount::bigint, v.currency::text, v.expires_at,
            v.restrictions, v.code_hint, v.pin_failures, v.locked_at is not null, a.pin_ok,
            a.attempts > attempt_limit,
            acc.credits_posted - acc.debits_posted - acc.debits_pending,
            ceil(extract(epoch from (v.attempts_window_started_at + make_interval(secs => window_seconds) - now())))::int;
end
$$;

-- Redemptions of concurrent requests, in one transaction and one ledger call (TigerBeetle's way:
-- one commit carries many, which is what lets a provider's hot account take thousands a second).
-- Each request is decided on its own, in order: find the offer (as `redeemer` may see it: its
-- provider or its circuit's operator; null = the admin), open the voucher (attempt and PIN counts
-- commit even when the redemption is refused), check expiry, restrictions, start and balance, take
-- the seats (never more than are left). Then one ledger_create_transfers call holds the money of
-- every request still standing (and captures it, with `capture`); a request the ledger refuses
-- gets its seats back, the others get their redemption row. Returns one jsonb per request:
-- {"result": "ok", "redemption": {…}, "available": …} or {"result": <why not>, …details}.
-- The HOLD's id is the redemption's, so its transfers carry no reference (an index entry each).
-- Rows are locked vouchers, then offers, then (in the ledger) accounts, each in id order: two
-- batches never wait for each other in a circle.
create function redeem_batch(requests jsonb)
returns table (request integer, outcome jsonb)
language plpgsql
set plan_cache_mode = force_generic_plan
as $$
declare
  size constant integer := jsonb_array_length(requests);
  r jsonb;
  o record;
  v voucher_unlock_result;
  outcomes jsonb[] := array_fill(null::jsonb, array[size]);
  -- For requests still standing after the checks: what the ledger and the row need.
  voucher_ids uuid[] := array_fill(null::uuid, array[size]);
  prices bigint[] := array_fill(null::bigint, array[size]);
  offer_of jsonb[] := array_fill(null::jsonb, array[size]);
  -- Appended in place (an expanded array), not copied as a growing jsonb would be.
  transfers jsonb[] := '{}';
  -- The position in `transfers` of each standing request's HOLD.
  hold_at integer[] := array_fill(null::integer, array[size]);
  ledger_results text[];
  refused text;
  seats_left integer;
  created redemptions;
  i integer;
begin
  perform 1 from vouchers
    where code_hash in (select decode(e ->> 'code_hash', 'hex') from jsonb_array_elements(requests) e)
    order by id for update;
  perform 1 from offers
    where id in (select (e ->> 'offer_id')::uuid from jsonb_array_elements(requests) e)
    order by id for no key update;

  for i in 1 .. size loop
    r := requests -> (i - 1);
    select f.id, f.provider_id, f.circuit_id, f.category, f.starts_at, f.seat_price, f.currency,
           f.cancellation_window_seconds, ci.operator_id, p.payable_account_id
      into o
      from offers f join circuits ci on ci.id = f.circuit_id join organizations p on p.id = f.provider_id
      where f.id = (r ->> 'offer_id')::uuid;
    if not found or (r ->> 'redeemer' is not null and (r ->> 'redeemer')::uuid not in (o.provider_id, o.operator_id)) then
      outcomes[i] := jsonb_build_object('result', 'offer_not_found');
      continue;
    end if;

    select * into v from voucher_unlock(decode(r ->> 'code_hash', 'hex'), r ->> 'pin', (r ->> 'attempt_limit')::int,
                                        (r ->> 'window_seconds')::int, (r ->> 'max_pin_failures')::int);
    if not found then outcomes[i] := jsonb_build_object('result', 'voucher_not_found'); continue; end if;
    if v.rate_limited then outcomes[i] := jsonb_build_object('result', 'rate_limited', 'retry_after', v.retry_after); continue; end if;
    if v.locked then outcomes[i] := jsonb_build_object('result', 'voucher_locked'); continue; end if;
    if not v.pin_ok then outcomes[i] := jsonb_build_object('result', 'wrong_pin', 'pin_failures', v.pin_failures); continue; end if;
    if v.expires_at <= now() then
      outcomes[i] := jsonb_build_object('result', 'voucher_expired', 'expires_at', v.expires_at);
      continue;
    end if;

    if v.circuit_id <> o.circuit_id then
      outcomes[i] := jsonb_build_object('result', 'restriction_mismatch', 'reason', 'circuit');
    elsif jsonb_array_length(coalesce(v.restrictions -> 'categories', '[]')) > 0
          and not (v.restrictions -> 'categories') ? o.category then
      outcomes[i] := jsonb_build_object('result', 'restriction_mismatch', 'reason', 'category',
                                        'allowed', v.restrictions -> 'categories', 'actual', o.category);
    elsif jsonb_array_length(coalesce(v.restrictions -> 'offer_ids', '[]')) > 0
          and not (v.restrictions -> 'offer_ids') ? o.id::text then
      outcomes[i] := jsonb_build_object('result', 'restriction_mismatch', 'reason', 'offer');
    elsif jsonb_array_length(coalesce(v.restrictions -> 'provider_ids', '[]')) > 0
          and not (v.restrictions -> 'provider_ids') ? o.provider_id::text then
      outcomes[i] := jsonb_build_object('result', 'restriction_mismatch', 'reason', 'provider');
    elsif o.starts_at <= now() then
      outcomes[i] := jsonb_build_object('result', 'offer_started');
    elsif v.available < o.seat_price * (r ->> 'seats')::int then
      outcomes[i] := jsonb_build_object('result', 'insufficient_funds', 'available', v.available,
                                        'amount', o.seat_price * (r ->> 'seats')::int);
    end if;
    continue when outcomes[i] is not null;

    -- The conditional update is what keeps an offer from being oversold.
    update offers f set seats_taken = f.seats_taken + (r ->> 'seats')::int
      where f.id = o.id and f.seats_taken + (r ->> 'seats')::int <= f.seats_total;
    if not found then
      select f.seats_total - f.seats_taken into seats_left from offers f where f.id = o.id;
      outcomes[i] := jsonb_build_object('result', 'sold_out', 'seats_left', seats_left);
      continue;
    end if;

    voucher_ids[i] := v.id;
    prices[i] := o.seat_price * (r ->> 'seats')::int;
    offer_of[i] := to_jsonb(o);
    hold_at[i] := cardinality(transfers) + 1;
    transfers := transfers || jsonb_build_object(
      'id', r ->> 'id', 'code', 'HOLD', 'debit_account_id', v.id, 'credit_account_id', o.payable_account_id,
      'amount', prices[i]::text, 'timeout_seconds', (r ->> 'hold_seconds')::int,
      'linked', (r ->> 'capture')::boolean);
    if (r ->> 'capture')::boolean then
      transfers := transfers || jsonb_build_object(
        'id', r ->> 'capture_id', 'code', 'CAPTURE', 'pending_id', r ->> 'id', 'amount', prices[i]::text);
    end if;
  end loop;

  if cardinality(transfers) > 0 then
    select array_agg(t.result order by t.position) into ledger_results
      from ledger_create_transfers(to_jsonb(transfers)) with ordinality as t(transfer_id, result, applied_amount, position);
  end if;

  for i in 1 .. size loop
    continue when hold_at[i] is null;
    r := requests -> (i - 1);
    refused := ledger_results[hold_at[i]];
    if refused = 'linked_event_failed' and (r ->> 'capture')::boolean then refused := ledger_results[hold_at[i] + 1]; end if;
    if refused <> 'ok' then
      -- Give the seats back in this same transaction: nobody saw them taken.
      update offers f set seats_taken = f.seats_taken - (r ->> 'seats')::int where f.id = (offer_of[i] ->> 'id')::uuid;
      if refused = 'insufficient_funds' then
        outcomes[i] := jsonb_build_object('result', 'insufficient_funds', 'amount', prices[i],
          'available', (select acc.credits_posted - acc.debits_posted - acc.debits_pending
                        from accounts acc where acc.id = voucher_ids[i]));
      else
        outcomes[i] := jsonb_build_object('result', 'ledger_refused', 'ledger_result', refused);
      end if;
      continue;
    end if;
    insert into redemptions (id, voucher_id, offer_id, provider_id, key_id, channel, status, seats, seat_price,
                             amount, captured_seats, captured_amount, currency, hold_expires_at,
                             booking_reference, captured_at)
    values ((r ->> 'id')::uuid, voucher_ids[i], (offer_of[i] ->> 'id')::uuid, (offer_of[i] ->> 'provider_id')::uuid,
            (r ->> 'key_id')::uuid,
            r ->> 'channel',
            case when (r ->> 'capture')::boolean then 'captured' else 'held' end, (r ->> 'seats')::int,
            (offer_of[i] ->> 'seat_price')::bigint, prices[i],
            case when (r ->> 'capture')::boolean then (r ->> 'seats')::int else 0 end,
            case when (r ->> 'capture')::boolean then prices[i] else 0 end, offer_of[i] ->> 'currency',
            now() + make_interval(secs => (r ->> 'hold_seconds')::int), r ->> 'booking_reference',
            case when (r ->> 'capture')::boolean then now() end)
    returning * into created;
    outcomes[i] := jsonb_build_object('result', 'ok', 'redemption', to_jsonb(created),
      'available', (select acc.credits_posted - acc.debits_posted - acc.debits_pending
                    from accounts acc where acc.id = voucher_ids[i]),
      'starts_at', offer_of[i] -> 'starts_at',
      'cancellation_window_seconds', offer_of[i] -> 'cancellation_window_seconds');
  end loop;

  return query select u.position::integer, u.outcome from unnest(outcomes) with ordinality as u(outcome, position);
end
$$;
