-- A referrer's references are the same in any case ("5c-01" is "5C-01"): a new one is refused when
-- it matches another in upper case (routes/beneficiaries.ts, under an advisory lock per reference),
-- and `GET /v1/beneficiaries?reference=` finds it either way. Not a unique index: a database may
-- already hold references that differ only in case, which this must not refuse to migrate.
create index beneficiaries_by_reference_any_case on beneficiaries (referrer_id, upper(reference));
