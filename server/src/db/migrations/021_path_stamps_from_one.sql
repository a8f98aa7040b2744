-- paths_stamp() as in 020_path_progress.sql, with stamps numbered from 1 whichever step is stamped
-- first: assigning stamps[2] of an empty array made an array that starts at 2, which reads as
-- step 1 stamped anywhere the array is read without its bounds (as JSON, in the API). Rows
-- written that way are renumbered.

update path_progress
set stamps = array(select stamps[g] from generate_series(1, array_upper(stamps, 1)) g order by g)
where array_lower(stamps, 1) > 1;

-- Stamps the paths with the captured redemptions `captured`. A redemption stamps, on every path of
-- its offer's circuit, one step that names its offer or its offer's category: on a free path the
-- first such step not yet stamped (a step naming the offer itself before a category step); on an
-- ordered path only the next step to take (the first not stamped), when it matches. Each progress
-- row is locked (in beneficiary and path order) before it is read, so concurrent captures stamp one
-- after the other and a path completes once; completing queues `path.completed` for the circuit's
-- operator and the beneficiary's referrer and issues the bonus. When no path names the offers, it
-- costs the one query that finds nothing.
create or replace function paths_stamp(captured uuid[]) returns void
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
    if cardinality(p.stamps) = 0 then
      -- Numbered from 1, whichever step comes first: stamps[3] of an empty array would start at 3.
      p.stamps := array_fill(null::uuid, array[total]);
    end if;
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
