import type { PendingQuery, Row } from 'postgres';
import type { Sql } from '../db/connection.js';

type SqlValue = string | PendingQuery<Row[]>;

/**
 * Whether `organization` (an id, or a column) takes part in `circuit` (the same): a provider that
 * joined it, a referrer with an allocation in one of its pools, a mentor that funded one of its
 * pools by a succeeded sponsorship (its own, or a visitor's gift on its pages with its publishable
 * key, as its badge counts). An operator runs circuits and takes part in none this way.
 */
export function takesPartIn(sql: Sql, organization: SqlValue, kind: SqlValue, circuit: SqlValue) {
  return sql`(case ${kind}
    when 'provider' then exists (
      select 1 from circuit_providers m where m.circuit_id = ${circuit} and m.provider_id = ${organization})
    when 'referrer' then exists (
      select 1 from allocations a join pools p on p.id = a.pool_id where p.circuit_id = ${circuit} and a.referrer_id = ${organization})
      -- A school or association that posted a need on the circuit's board takes part too.
      or exists (select 1 from needs n where n.circuit_id = ${circuit} and n.referrer_id = ${organization})
    when 'mentor' then exists (
      select 1 from sponsorships s join pools p on p.id = s.pool_id
      where p.circuit_id = ${circuit} and s.status = 'succeeded' and ${fundedBy(sql, organization)})
    else false end)`;
}

/**
 * Sponsorships a mentor brought (`s` is the sponsorship): its own, and its customers' gifts made
 * on its own pages with its publishable key (the payer is the visitor, the shop brought them).
 */
export function fundedBy(sql: Sql, mentor: SqlValue) {
  return sql`(s.mentor_id = ${mentor}
    or s.key_id in (select id from api_keys where organization_id = ${mentor} and kind = 'publishable'))`;
}
