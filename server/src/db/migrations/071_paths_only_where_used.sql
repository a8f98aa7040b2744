-- The path stamps of new captured redemptions (020_path_progress.sql), looked for only when one of
-- their offers' circuits has paths. paths_stamp() reads every redemption with its offer, circuit,
-- voucher and beneficiary before it can find none: about 1 ms of a 30-redemption batch in
-- bench:api, whose circuit has no paths. This check reads each distinct offer and its circuit.
create or replace function redemptions_stamp_created() returns trigger
language plpgsql as $$
begin
  if exists (select from circuits ci
             where jsonb_array_length(ci.paths) > 0
               and ci.id in (select f.circuit_id from offers f
                             where f.id in (select c.offer_id from created c where c.status = 'captured'))) then
    perform paths_stamp(array(select id from created where status = 'captured'));
  end if;
  return null;
end
$$;
