import { z } from '@hono/zod-openapi';

/**
 * Text in the three languages of the platform. Italian is required (every circuit is in Italy);
 * English and Albanian fall back to it in the widgets when missing.
 */
export const localizedText = (max: number) =>
  z
    .strictObject({
      it: z.string().trim().min(1).max(max),
      en: z.string().trim().min(1).max(max).optional(),
      sq: z.string().trim().min(1).max(max).optional(),
    })
    .openapi({ description: 'Text by language: it (required), en, sq.', example: { it: 'La locandiera', en: 'The Mistress of the Inn', sq: 'Hanxhesha' } });

/** An amount in minor units (euro cents): a whole number from 1 to 10^11, as the ledger allows. */
export const minorUnits = z
  .number()
  .int()
  .min(1)
  .max(100_000_000_000)
  .openapi({ description: 'Minor units (euro cents).', example: 1500 });

/** Amounts leave the database as bigint and the API as JSON numbers: exact below 2^53, and the ledger caps them at 10^11. */
export function amountJson(value: bigint): number {
  return Number(value);
}

/** Cents as a decimal with two places, `1250n` → `12.50`, exactly (no float on the way). */
export function decimalAmount(cents: bigint): string {
  const magnitude = cents < 0n ? -cents : cents;
  return `${cents < 0n ? '-' : ''}${magnitude / 100n}.${String(magnitude % 100n).padStart(2, '0')}`;
}

/** Money in a sentence for people: `EUR 12.50`. */
export function formatMoney(cents: bigint, currency: string): string {
  return `${currency} ${decimalAmount(cents)}`;
}
