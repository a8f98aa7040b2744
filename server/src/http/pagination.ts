import { z } from '@hono/zod-openapi';

/** `?limit=1..100&starting_after=id` (DESIGN §3). Ids are UUIDv7, so id order is creation order. */
export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: 'How many to return, 1 to 100.' }),
  starting_after: z.uuid().optional().openapi({ description: 'The id of the last object of the previous page.' }),
});

export type PageQuery = z.infer<typeof pageQuery>;

/** The zero UUID sorts before every id: the first page starts after it. */
export function after(query: PageQuery): string {
  return query.starting_after ?? '00000000-0000-0000-0000-000000000000';
}

/** Rows were fetched with `limit + 1`: the extra row only says there is more. */
export function page<T>(rows: readonly T[], limit: number): { data: T[]; has_more: boolean } {
  return { data: rows.slice(0, limit), has_more: rows.length > limit };
}

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), has_more: z.boolean() });
}
