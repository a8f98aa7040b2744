-- Webhooks (DESIGN §3): each organization's endpoints, and an outbox of deliveries written in the
-- same transaction as the change they report. A worker on any server sends them
-- (server/src/webhooks/worker.ts), claiming rows with SKIP LOCKED.

-- A UUIDv7 (time-ordered, as ids.ts makes them) for rows written inside the database.
create function uuid_v7() returns uuid
language sql volatile as $$
  select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
           placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6),
         52, 1), 53, 1), 'hex')::uuid
$$;

-- The same id as derivedId() in ids.ts: a UUIDv8 from SHA-256 of "<parent>:<step>". An event's id
-- derives from its object and type, so an event recorded twice is delivered once.
create function derived_id(parent uuid, step text) returns uuid
language sql immutable as $$
  select encode(set_byte(set_byte(h, 6, (get_byte(h, 6) & 15) | 128), 8, (get_byte(h, 8) & 63) | 128), 'hex')::uuid
  from (select substring(sha256(convert_to(parent::text || ':' || step, 'UTF8')) from 1 for 16) as h) digest
$$;

-- A time as the API writes it (JavaScript's toISOString): 2026-11-25T09:30:00.000Z.
create function api_time(moment timestamptz) returns text
language sql stable as $$
  select to_char(moment at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- The events organizations subscribe to (webhookEventTypes in server/src/webhooks/events.ts).
create function webhook_event_types() returns text[]
language sql immutable as $$
  select array['sponsorship.succeeded', 'voucher.issued', 'voucher.expiring', 'voucher.expired', 'redemption.held',
               'redemption.captured', 'redemption.voided', 'redemption.reversed', 'settlement.created']
$$;

create domain webhook_event_type as text check (value = any (webhook_event_types()));

create table webhook_endpoints (
  id uuid primary key,
  organization_id uuid not null references organizations (id),
  url text not null check (length(url) between 1 and 2048),
  -- The mode of the key that made it: only test endpoints may use http://.
  mode key_mode not null,
  -- text[], not an array of the domain: postgres.js reads arrays of the types it knows.
  event_types text[] not null
    check (cardinality(event_types) between 1 and 20 and event_types <@ webhook_event_types()),
  description text check (length(description) between 1 and 200),
  -- Kept as it is, not hashed: every delivery is signed with it. Shown once, when made or rotated.
  secret text not null,
  -- Still signs beside the new secret until it expires, so receivers can switch without a gap.
  previous_secret text,
  previous_secret_expires_at timestamptz,
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  constraint previous_secret_expires check ((previous_secret is null) = (previous_secret_expires_at is null))
);

create index webhook_endpoints_by_organization on webhook_endpoints (organization_id, id);

-- The outbox: one row per event and endpoint subscribed to it when the event happened.
create table webhook_deliveries (
  id uuid primary key,
  event_id uuid not null,
  event_type webhook_event_type not null,
  event_created_at timestamptz not null default now(),
  -- The object as the API shows it, at the moment of the event.
  data jsonb not null,
  endpoint_id uuid not null references webhook_endpoints (id),
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- Retried with backoff until then (3 days), then failed.
  give_up_at timestamptz not null default now() + interval '3 days',
  last_attempt_at timestamptz,
  last_response_status integer,
  last_error text,
  delivered_at timestamptz,
  unique (event_id, endpoint_id)
);

create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_by_endpoint on webhook_deliveries (endpoint_id, id);
create index webhook_deliveries_finished on webhook_deliveries (event_created_at) where status <> 'pending';

-- The delivery log: every attempt, what the receiver answered and how long it took.
create table webhook_attempts (
  id uuid primary key,
  delivery_id uuid not null references webhook_deliveries (id) on delete cascade,
  attempted_at timestamptz not null,
  succeeded boolean not null,
  response_status integer,
  duration_ms integer not null check (duration_ms >= 0),
  error text check (length(error) <= 500)
);

create index webhook_attempts_by_delivery on webhook_attempts (delivery_id, id);

-- Queues `events` ([{id, type, organizations: [uuid…], data}]) for every enabled endpoint of those
-- organizations subscribed to the type; an event already queued for an endpoint is not queued
-- again. Returns how many deliveries were queued. The only writer of webhook_deliveries rows.
create function webhook_enqueue(events jsonb) returns integer
language plpgsql
set plan_cache_mode = force_generic_plan as $$
declare
  queued integer;
begin
  insert into webhook_deliveries (id, event_id, event_type, data, endpoint_id)
  select uuid_v7(), (e.value ->> 'id')::uuid, e.value ->> 'type', e.value -> 'data', w.id
  from jsonb_array_elements(coalesce(events, '[]')) e
    cross join lateral jsonb_array_elements_text(e.value -> 'organizations') o (organization_id)
    join webhook_endpoints w on w.organization_id = o.organization_id::uuid
  where w.disabled_at is null and e.value ->> 'type' = any (w.event_types)
  on conflict (event_id, endpoint_id) do nothing;
  get diagnostics queued = row_count;
  return queued;
end
$$;

-- A redemption as the API shows it (redemptionJson in routes/redemptions.ts).
create function redemption_json(r redemptions, starts_at timestamptz, cancellation_window_seconds integer)
returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'id', r.id, 'object', 'redemption', 'status', r.status, 'channel', r.channel, 'voucher_id', r.voucher_id,
    'offer_id', r.offer_id, 'provider_id', r.provider_id, 'seats', r.seats, 'seat_price', r.seat_price,
    'amount', r.amount, 'captured_seats', r.captured_seats, 'captured_amount', r.captured_amount,
    'reversed_amount', r.reversed_amount, 'currency', r.currency, 'booking_reference', r.booking_reference,
    'qr_payload', 'MENTORING:BOOKING:' || r.booking_reference, 'hold_expires_at', api_time(r.hold_expires_at),
    'reversible_until', api_time(starts_at - make_interval(secs => cancellation_window_seconds)),
    'created_at', api_time(r.created_at), 'captured_at', api_time(r.captured_at),
    'released_at', api_time(r.released_at), 'reversed_at', api_time(r.reversed_at))
$$;

-- Queues the events of redemptions (`types[i]` happened to `redemption_ids[i]`, whose rows are
-- written) for their provider and their circuit's operator. When no endpoint anywhere listens for
-- redemptions it costs one look at the endpoints, and it builds an event only for a redemption
-- whose provider or operator listens: the redemption path stays as fast without webhooks.
create function webhook_enqueue_redemptions(redemption_ids uuid[], types text[]) returns integer
language plpgsql
set plan_cache_mode = force_generic_plan as $$
begin
  if not exists (select from webhook_endpoints w
                 where w.disabled_at is null and w.event_types && types) then
    return 0;
  end if;
  return webhook_enqueue((
    select jsonb_agg(jsonb_build_object(
             'id', derived_id(r.id, u.type), 'type', u.type,
             'organizations', jsonb_build_array(r.provider_id, ci.operator_id),
             'data', redemption_json(r, f.starts_at, f.cancellation_window_seconds)))
    from unnest(redemption_ids, types) as u (id, type)
      join redemptions r on r.id = u.id
      join offers f on f.id = r.offer_id
      join circuits ci on ci.id = f.circuit_id
    where exists (select from webhook_endpoints w
                  where w.organization_id in (r.provider_id, ci.operator_id) and w.disabled_at is null
                    and u.type = any (w.event_types))));
end
$$;
