-- Erasing a beneficiary at the referrer's request: the reference goes, the ledger's amounts and the
-- pseudonymous rows that carry them stay (server/src/routes/privacy.ts).

alter table beneficiaries
  alter column reference drop not null,
  add column erased_at timestamptz,
  add constraint erased_beneficiaries_have_no_reference check ((erased_at is null) = (reference is not null));
