-- ledger_create_transfers() finds a batch's transfers, holds and accounts by their ids. Its plans
-- are generic and cached per connection (plan_cache_mode), made from the table sizes of the moment
-- they are first needed: a server that starts when `transfers` is small keeps hash joins over a
-- sequential scan of the whole table, and every batch then reads every transfer, more each time,
-- until an ANALYZE happens to replace the plans. The function reads nothing but by key, so it
-- forbids sequential scans to its planner: index lookups whatever the size at planning time.
alter function ledger_create_transfers(jsonb) set enable_seqscan = off;
