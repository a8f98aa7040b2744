import { z } from '@hono/zod-openapi';
import type { Sql } from '../db/connection.js';

export const storyNumbersSchema = z
  .object({
    seats_redeemed: z.number().int().openapi({
      description: "A provider's: seats captured at its offers in the circuit. A referrer's: seats its vouchers paid for there.",
    }),
    offers: z.number().int().optional().openapi({ description: "A provider's offers in the circuit." }),
    vouchers_issued: z.number().int().optional().openapi({ description: "A referrer's vouchers issued in the circuit." }),
    as_of: z.iso.datetime().openapi({ description: 'When they were computed: when the story was published.' }),
  })
  .openapi('StoryNumbers', { description: "The numbers behind a story, from the author's own data in the circuit." });

export type StoryNumbers = z.infer<typeof storyNumbersSchema>;

/**
 * The numbers behind a story, from the author's real data in the story's circuit: what the ledger's
 * redemptions captured (reversed ones do not count) and what the author set up. Paths completed
 * will join them when path progress is recorded (docs/api.md).
 */
export async function storyNumbers(
  sql: Sql,
  story: { circuit_id: string; author_id: string; author_kind: 'provider' | 'referrer' },
): Promise<StoryNumbers> {
  const asOf = new Date().toISOString();
  if (story.author_kind === 'provider') {
    const [row] = await sql<{ seats_redeemed: number; offers: number }[]>`
      select
        (select coalesce(sum(r.captured_seats), 0)::int from redemptions r join offers o on o.id = r.offer_id
         where r.provider_id = ${story.author_id} and o.circuit_id = ${story.circuit_id} and r.status = 'captured') as seats_redeemed,
        (select count(*)::int from offers where provider_id = ${story.author_id} and circuit_id = ${story.circuit_id}) as offers`;
    return { seats_redeemed: row!.seats_redeemed, offers: row!.offers, as_of: asOf };
  }
  const [row] = await sql<{ seats_redeemed: number; vouchers_issued: number }[]>`
    select
      (select coalesce(sum(r.captured_seats), 0)::int from redemptions r join vouchers v on v.id = r.voucher_id
       where v.referrer_id = ${story.author_id} and v.circuit_id = ${story.circuit_id} and r.status = 'captured') as seats_redeemed,
      (select count(*)::int from vouchers where referrer_id = ${story.author_id} and circuit_id = ${story.circuit_id}) as vouchers_issued`;
  return { seats_redeemed: row!.seats_redeemed, vouchers_issued: row!.vouchers_issued, as_of: asOf };
}
