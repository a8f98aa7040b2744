-- The audit log: who (which key), did what, when, in which request. Written for every write the
-- API answers and every run of a job that moved money (server/src/audit/audit-log.ts); read by
-- operators at GET /v1/audit_log. Append-only, like the ledger's transfers.

create table audit_log (
  -- A UUIDv7: ids sort by time.
  id uuid primary key,
  created_at timestamptz not null default now(),
  -- The X-Request-Id of the request; null for a job.
  request_id text check (length(request_id) between 1 and 200),
  actor text not null check (actor in ('admin', 'key', 'payment_provider', 'job')),
  key_id uuid,
  -- The key's organization: whose operator may read the entry.
  organization_id uuid,
  -- 'POST /v1/redemptions/{id}/capture', or a job's name.
  action text not null check (length(action) between 1 and 200),
  -- The object acted on: the id in the path, or the one the request created.
  object_id uuid,
  -- The HTTP status answered, and the problem's code when it was refused.
  status integer,
  problem_code text,
  -- What a job did, in figures. Never request bodies: they hold PINs and referrers' references.
  detail jsonb,
  constraint keys_are_named check ((actor = 'key') = (key_id is not null))
);

create index audit_log_by_organization on audit_log (organization_id, id) where organization_id is not null;
create index audit_log_by_object on audit_log (object_id, id) where object_id is not null;

create function audit_log_refuse_change() returns trigger
language plpgsql as $$
begin
  raise exception '% on audit_log refused: the audit log is append-only', tg_op using errcode = '55000';
end
$$;

create trigger audit_log_is_append_only before update or delete on audit_log
  for each row execute function audit_log_refuse_change();
create trigger audit_log_is_not_truncated before truncate on audit_log
  for each statement execute function audit_log_refuse_change();
