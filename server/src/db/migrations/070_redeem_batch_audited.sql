-- A batch of redemptions and its audit entries in one statement, so in one round trip: no BEGIN,
-- INSERT and COMMIT of the server's own. Each of those waited for the server's event loop, busy
-- answering the previous batch's requests, before the next step went out: 5 to 6 ms of a 15 ms
-- batch (docs/performance.md). The statement is its own transaction: the redemptions and the
-- entries that record them commit together, or neither does.
--
-- `requests` are redeem_batch()'s; a request with an `audit` object gets an entry:
-- {"id", "request_id", "actor", "key_id", "organization_id", "action"}. `answers` maps each
-- result of redeem_batch() to the HTTP answer it gets, {"status": 201, "problemCode": null}: the
-- server builds it from its own error handling, so the entry says what the client was told. A
-- successful redemption's entry names it as its object.
create function redeem_batch_audited(requests jsonb, answers jsonb, attempt_limit integer, window_seconds integer,
                                     max_pin_failures integer)
returns table (request integer, outcome jsonb)
language plpgsql
set plan_cache_mode = force_generic_plan
as $$
declare
  outcomes jsonb[];
  unanswered text;
begin
  select array_agg(b.outcome order by b.request) into outcomes
    from redeem_batch(requests, attempt_limit, window_seconds, max_pin_failures) b;
  select o ->> 'result' into unanswered from unnest(outcomes) o where not answers ? (o ->> 'result') limit 1;
  if found then
    raise exception 'redeem_batch_audited: no answer for result %', unanswered using errcode = '22023';
  end if;
  insert into audit_log (id, request_id, actor, key_id, organization_id, action, object_id, status, problem_code)
  select (a ->> 'id')::uuid, a ->> 'request_id', a ->> 'actor', (a ->> 'key_id')::uuid, (a ->> 'organization_id')::uuid,
         a ->> 'action', case when o ->> 'result' = 'ok' then (requests -> (u.i::int - 1) ->> 'id')::uuid end,
         (answers -> (o ->> 'result') ->> 'status')::int, answers -> (o ->> 'result') ->> 'problemCode'
    from unnest(outcomes) with ordinality as u (o, i)
    cross join lateral (select requests -> (u.i::int - 1) -> 'audit' as a) entry
    where entry.a is not null;
  return query select u.i::integer, u.o from unnest(outcomes) with ordinality as u (o, i);
end
$$;
