import { z } from '@hono/zod-openapi';
import type { Sql } from '../db/connection.js';

export const storyNumbersSchema = z
  .object({
    seats_redeemed: z.number().int().openapi({
      description: "A provider's: seats captured at its offers in the circuit. A referrer's: seats its vouchers paid for there.",
    }),
    offers: z.number().int().optional().openapi({ description: "A provider's offers in the circuit." }),
    vouchers_issued: z.number().int().optional().openapi({ description: "A referrer's vouchers issued in the circuit." }),
    paths_completed: z.number().int().openapi({
      description: "Paths of the circuit completed: a provider's, those with a step taken there; a referrer's, by its beneficiaries.",
    }),
    as_of: z.iso.datetime().openapi({ description: 'When they were computed: when the story was published.' }),
  })
  .openapi('StoryNumbers', { description: "The numbers behind a story, from the author's own data in the circuit." });

export type StoryNumbers = z.infer<typeof storyNumbersSchema>;

/**
 * The numbers behind a story, from the author's real data in the story's circuit: what the ledger's
 * redemptions captured (reversed ones do not count), the paths completed (path_progress) and what
 * the author set up.
 */
export async function storyNumbers(
  sql: Sql,
  story: { circuit_id: string; author_id: string; author_kind: 'provider' | 'referrer' },
): Promise<StoryNumbers> {
  const asOf = new Date().toISOString();
  if (story.author_kind === 'provider') {
    const [row] = await sql<{ seats_redeemed: number; offers: number; paths_completed: number }[]>`
      select
        (select coalesce(sum(r.captured_seats), 0)::int from redemptions r join offers o on o.id = r.offer_id
         where r.provider_id = ${story.author_id} and o.circuit_id = ${story.circuit_id} and r.status = 'captured') as seats_redeemed,
        (select count(*)::int from offers where provider_id = ${story.author_id} and circuit_id = ${story.circuit_id}) as offers,
        (select count(*)::int from path_progress p
         where p.circuit_id = ${story.circuit_id} and p.completed_at is not null
           and exists (select 1 from redemptions r where r.id = any (p.stamps) and r.provider_id = ${story.author_id})) as paths_completed`;
    return { seats_redeemed: row!.seats_redeemed, offers: row!.offers, paths_completed: row!.paths_completed, as_of: asOf };
  }
  const [row] = await sql<{ seats_redeemed: number; vouchers_issued: number; paths_completed: number }[]>`
    select
      (select coalesce(sum(r.captured_seats), 0)::int from redemptions r join vouchers v on v.id = r.voucher_id
       where v.referrer_id = ${story.author_id} and v.circuit_id = ${story.circuit_id} and r.status = 'captured') as seats_redeemed,
      (select count(*)::int from vouchers where referrer_id = ${story.author_id} and circuit_id = ${story.circuit_id}) as vouchers_issued,
      (select count(*)::int from path_progress p join beneficiaries b on b.id = p.beneficiary_id
       where p.circuit_id = ${story.circuit_id} and p.completed_at is not null and b.referrer_id = ${story.author_id}) as paths_completed`;
  return { seats_redeemed: row!.seats_redeemed, vouchers_issued: row!.vouchers_issued, paths_completed: row!.paths_completed, as_of: asOf };
}
