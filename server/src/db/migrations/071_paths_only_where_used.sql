-- The path stamps of captured redemptions (020_path_progress.sql), looked for only when one of
-- their offers' circuits has paths. paths_stamp() reads every redemption with its offer, circuit,
-- voucher and beneficiary before it can find none: about 1 ms of a 30-redemption batch in
-- bench:api, whose circuit has no paths. This check reads each distinct offer and its circuit.

create function offers_on_paths(offer_ids uuid[]) returns boolean
language sql stable as $$
  select exists (select from circuits ci
                 where jsonb_array_length(ci.paths) > 0
                   and ci.id in (select f.circuit_id from offers f where f.id = any(offer_ids)))
$$;

-- The triggers of 020, each with the check before paths_stamp(); a reversal still takes back its
-- stamps (paths_unstamp() finds none where there are none).
create or replace function redemptions_stamp_created() returns trigger
language plpgsql as $$
begin
  if offers_on_paths(array(select offer_id from created where status = 'captured')) then
    perform paths_stamp(array(select id from created where status = 'captured'));
  end if;
  return null;
end
$$;

create or replace function redemptions_stamp_changed() returns trigger
language plpgsql as $$
declare
  captured uuid[];
  captured_offers uuid[];
  reversed uuid[];
begin
  select array_agg(n.id) filter (where n.status = 'captured' and o.status <> 'captured'),
         array_agg(n.offer_id) filter (where n.status = 'captured' and o.status <> 'captured'),
         array_agg(n.id) filter (where n.status = 'reversed' and o.status = 'captured')
    into captured, captured_offers, reversed
    from changed n join previous o on o.id = n.id
    where n.status <> o.status;
  if captured is not null and offers_on_paths(captured_offers) then perform paths_stamp(captured); end if;
  if reversed is not null then perform paths_unstamp(reversed); end if;
  return null;
end
$$;
