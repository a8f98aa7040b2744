-- Two functions of the hot path read rows of ever-growing tables by key only: the transfers, holds
-- and accounts of a batch (ledger_create_transfers) and the redemptions a batch captured
-- (paths_stamp). Their plans are generic and cached per connection (plan_cache_mode), made from the
-- table sizes of the moment they are first needed: a server that started while `transfers` or
-- `redemptions` was small kept hash joins over sequential scans of the whole table, so every batch
-- read every row, more each time, until an ANALYZE happened to replace the plans. Inside
-- redeem_batch() the ledger call took 9.8 ms a batch against 1.7 ms for the same work planned on a
-- fresh connection. These two forbid sequential scans to their planner: index lookups whatever
-- the sizes at planning time (a table without a usable index would still be read whole; the
-- setting only prices the scan out). Not redeem_batch() or vouchers_unlock(): with the same setting
-- their plans got worse (bench:api fell from about 2,700 to 881 redemptions a second).
alter function ledger_create_transfers(jsonb) set enable_seqscan = off;
alter function paths_stamp(uuid[]) set enable_seqscan = off;
