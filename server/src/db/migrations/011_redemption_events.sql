-- redeem_batch() as in 004_open_vouchers_together.sql, and the webhook events of the redemptions it
-- writes (redemption.captured for in-page ones, redemption.held at a counter), queued in the same
-- transaction by one call for the whole batch: when nobody listens, one look at the endpoints.

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
-- Rows are locked offers, then vouchers, then (in the ledger) accounts, each in id order: two
-- batches never wait for each other in a circle.
create or replace function redeem_batch(requests jsonb, attempt_limit integer, window_seconds integer, max_pin_failures integer)
returns table (request integer, outcome jsonb)
language plpgsql
set plan_cache_mode = force_generic_plan
as $$
declare
  size constant integer := jsonb_array_length(requests);
  r jsonb;
  v voucher_opening;
  outcomes jsonb[] := array_fill(null::jsonb, array[size]);
  -- The offers of the batch, locked, in id order, by position k; and each request's k.
  o_id uuid[]; o_provider uuid[]; o_operator uuid[]; o_payable uuid[]; o_circuit uuid[];
  o_category text[]; o_starts timestamptz[]; o_price bigint[]; o_currency text[]; o_window integer[];
  o_left integer[]; o_taken integer[];
  k integer;
  -- Each request's offer (k), when it names one the redeemer may see; and for standing requests.
  offer_of integer[] := array_fill(null::integer, array[size]);
  offer_at integer[] := array_fill(null::integer, array[size]);
  -- The vouchers opened together before the loop: the first request for each, with its offer found.
  first_hashes bytea[] := '{}';
  first_pins text[] := '{}';
  first_at integer[] := '{}';
  opened voucher_opening[] := array_fill(null::voucher_opening, array[size]);
  seats integer[] := array_fill(null::integer, array[size]);
  -- For requests still standing after the checks.
  voucher_ids uuid[] := array_fill(null::uuid, array[size]);
  prices bigint[] := array_fill(null::bigint, array[size]);
  -- Appended in place (an expanded array), not copied as a growing jsonb would be.
  transfers jsonb[] := '{}';
  -- The position in `transfers` of each standing request's HOLD.
  hold_at integer[] := array_fill(null::integer, array[size]);
  ledger_results text[];
  refused text;
  i integer;
  -- The redemptions written, and the event each one is.
  written_ids uuid[];
  written_events text[];
begin
  select array_agg(f.id), array_agg(f.provider_id), array_agg(ci.operator_id), array_agg(p.payable_account_id),
         array_agg(f.circuit_id), array_agg(f.category), array_agg(f.starts_at), array_agg(f.seat_price),
         array_agg(f.currency), array_agg(f.cancellation_window_seconds), array_agg(f.seats_total - f.seats_taken),
         array_fill(0, array[count(*)::int])
    into o_id, o_provider, o_operator, o_payable, o_circuit, o_category, o_starts, o_price, o_currency, o_window,
         o_left, o_taken
    from (select * from offers
          where id = any(array(select (e ->> 'offer_id')::uuid from jsonb_array_elements(requests) e))
          order by id for no key update) f
    join circuits ci on ci.id = f.circuit_id join organizations p on p.id = f.provider_id;

  for i in 1 .. size loop
    r := requests -> (i - 1);
    k := array_position(o_id, (r ->> 'offer_id')::uuid);
    continue when k is null or (r ->> 'redeemer' is not null and (r ->> 'redeemer')::uuid not in (o_provider[k], o_operator[k]));
    offer_of[i] := k;
    continue when decode(r ->> 'code_hash', 'hex') = any(first_hashes);
    first_hashes := first_hashes || decode(r ->> 'code_hash', 'hex');
    first_pins := first_pins || (r ->> 'pin');
    first_at := first_at || i;
  end loop;
  for v in select * from vouchers_unlock(first_hashes, first_pins, attempt_limit, window_seconds, max_pin_failures) loop
    opened[first_at[v.n]] := v;
  end loop;

  for i in 1 .. size loop
    r := requests -> (i - 1);
    k := offer_of[i];
    if k is null then
      outcomes[i] := jsonb_build_object('result', 'offer_not_found');
      continue;
    end if;

    if i = any(first_at) then
      v := opened[i];
    else
      -- The same voucher again in this batch: opened after the earlier request, so it counts on top of it.
      select * into v from vouchers_unlock(array[decode(r ->> 'code_hash', 'hex')], array[r ->> 'pin'],
                                           attempt_limit, window_seconds, max_pin_failures);
    end if;
    if v.id is null then outcomes[i] := jsonb_build_object('result', 'voucher_not_found'); continue; end if;
    if v.rate_limited then outcomes[i] := jsonb_build_object('result', 'rate_limited', 'retry_after', v.retry_after); continue; end if;
    if v.locked then outcomes[i] := jsonb_build_object('result', 'voucher_locked'); continue; end if;
    if not v.pin_ok then outcomes[i] := jsonb_build_object('result', 'wrong_pin', 'pin_failures', v.pin_failures); continue; end if;
    if v.expires_at <= now() then
      outcomes[i] := jsonb_build_object('result', 'voucher_expired', 'expires_at', v.expires_at);
      continue;
    end if;

    seats[i] := (r ->> 'seats')::int;
    prices[i] := o_price[k] * seats[i];
    if v.circuit_id <> o_circuit[k] then
      outcomes[i] := jsonb_build_object('result', 'restriction_mismatch', 'reason', 'circuit');
    elsif jsonb_array_length(coalesce(v.restrictions -> 'categories', '[]')) > 0
          and not (v.restrictions -> 'categories') ? o_category[k] then
      outcomes[i] := jsonb_build_object('result', 'restriction_mismatch', 'reason', 'category',
                                        'allowed', v.restrictions -> 'categories', 'actual', o_category[k]);
    elsif jsonb_array_length(coalesce(v.restrictions -> 'offer_ids', '[]')) > 0
          and not (v.restrictions -> 'offer_ids') ? o_id[k]::text then
      outcomes[i] := jsonb_build_object('result', 'restriction_mismatch', 'reason', 'offer');
    elsif jsonb_array_length(coalesce(v.restrictions -> 'provider_ids', '[]')) > 0
          and not (v.restrictions -> 'provider_ids') ? o_provider[k]::text then
      outcomes[i] := jsonb_build_object('result', 'restriction_mismatch', 'reason', 'provider');
    elsif o_starts[k] <= now() then
      outcomes[i] := jsonb_build_object('result', 'offer_started');
    elsif v.available < prices[i] then
      outcomes[i] := jsonb_build_object('result', 'insufficient_funds', 'available', v.available, 'amount', prices[i]);
    elsif seats[i] > o_left[k] then
      -- The offer rows are locked: the seats counted here are the seats left.
      outcomes[i] := jsonb_build_object('result', 'sold_out', 'seats_left', o_left[k]);
    end if;
    continue when outcomes[i] is not null;

    o_left[k] := o_left[k] - seats[i];
    o_taken[k] := o_taken[k] + seats[i];
    offer_at[i] := k;
    voucher_ids[i] := v.id;
    hold_at[i] := cardinality(transfers) + 1;
    transfers := transfers || jsonb_build_object(
      'id', r ->> 'id', 'code', 'HOLD', 'debit_account_id', v.id, 'credit_account_id', o_payable[k],
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
    refused := ledger_results[hold_at[i]];
    if refused = 'linked_event_failed' and (requests -> (i - 1) ->> 'capture')::boolean then
      refused := ledger_results[hold_at[i] + 1];
    end if;
    continue when refused = 'ok';
    -- Refused by the ledger: its seats were never written, so they are simply not taken.
    o_taken[offer_at[i]] := o_taken[offer_at[i]] - seats[i];
    hold_at[i] := null;
    if refused = 'insufficient_funds' then
      outcomes[i] := jsonb_build_object('result', 'insufficient_funds', 'amount', prices[i],
        'available', (select acc.credits_posted - acc.debits_posted - acc.debits_pending
                      from accounts acc where acc.id = voucher_ids[i]));
    else
      outcomes[i] := jsonb_build_object('result', 'ledger_refused', 'ledger_result', refused);
    end if;
  end loop;

  -- The seats, and the rows of the redemptions the ledger took: one statement each.
  update offers f set seats_taken = f.seats_taken + u.taken
    from unnest(o_id, o_taken) as u (id, taken)
    where f.id = u.id and u.taken > 0;
  with standing as (
    select u.i, e.value as r, u.voucher_id, u.price, u.k
    from unnest(hold_at, voucher_ids, prices, offer_at) with ordinality as u (hold_at, voucher_id, price, k, i)
    cross join lateral (select requests -> (u.i::int - 1) as value) e
    where u.hold_at is not null
  ), created as (
    insert into redemptions (id, voucher_id, offer_id, provider_id, key_id, channel, status, seats, seat_price,
                             amount, captured_seats, captured_amount, currency, hold_expires_at,
                             booking_reference, captured_at)
    select (s.r ->> 'id')::uuid, s.voucher_id, o_id[s.k], o_provider[s.k], (s.r ->> 'key_id')::uuid, s.r ->> 'channel',
           case when (s.r ->> 'capture')::boolean then 'captured' else 'held' end, (s.r ->> 'seats')::int,
           o_price[s.k], s.price,
           case when (s.r ->> 'capture')::boolean then (s.r ->> 'seats')::int else 0 end,
           case when (s.r ->> 'capture')::boolean then s.price else 0 end, o_currency[s.k],
           now() + make_interval(secs => (s.r ->> 'hold_seconds')::int), s.r ->> 'booking_reference',
           case when (s.r ->> 'capture')::boolean then now() end
    from standing s
    returning *
  )
  select array_agg(coalesce(done.outcome, u.outcome) order by u.i) into outcomes
    from unnest(outcomes) with ordinality as u (outcome, i)
    left join (
      select s.i, jsonb_build_object('result', 'ok', 'redemption', to_jsonb(c),
               'available', acc.credits_posted - acc.debits_posted - acc.debits_pending,
               'starts_at', o_starts[s.k], 'cancellation_window_seconds', o_window[s.k]) as outcome
      from created c join standing s on (s.r ->> 'id')::uuid = c.id join accounts acc on acc.id = c.voucher_id
    ) done on done.i = u.i;

  select array_agg((requests -> (u.i::int - 1) ->> 'id')::uuid),
         array_agg(case when (requests -> (u.i::int - 1) ->> 'capture')::boolean then 'redemption.captured'
                        else 'redemption.held' end)
    into written_ids, written_events
    from unnest(hold_at) with ordinality as u (hold, i)
    where u.hold is not null;
  if written_ids is not null then
    perform webhook_enqueue_redemptions(written_ids, written_events);
  end if;

  return query select u.i::integer, u.outcome from unnest(outcomes) with ordinality as u (outcome, i);
end
$$;
