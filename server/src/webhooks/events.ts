// The events organizations can subscribe to, and queuing them in the outbox inside the
// transaction of the change they report (webhook_enqueue() in 010_webhooks.sql).
import type { Queryable } from '../db/connection.js';
import type { OrganizationKind } from '../http/context.js';
import { derivedId } from '../ids.js';

export const webhookEventTypes = [
  'sponsorship.succeeded',
  'voucher.issued',
  'voucher.expiring',
  'voucher.expired',
  'redemption.held',
  'redemption.captured',
  'redemption.voided',
  'redemption.reversed',
  'settlement.created',
  'path.completed',
  'need.adopted',
  'need.funded',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export type RedemptionEventType = Extract<WebhookEventType, `redemption.${string}`>;

/** Which events reach an organization of each kind: its own objects', and all of its circuits' for an operator. */
export const eventTypesFor: Record<OrganizationKind, readonly WebhookEventType[]> = {
  operator: webhookEventTypes,
  provider: ['redemption.held', 'redemption.captured', 'redemption.voided', 'redemption.reversed', 'settlement.created'],
  mentor: ['sponsorship.succeeded', 'need.adopted', 'need.funded'],
  referrer: ['voucher.issued', 'voucher.expiring', 'voucher.expired', 'path.completed', 'need.adopted', 'need.funded'],
};

export interface WebhookEvent {
  type: WebhookEventType;
  /** The object the event is about; the event's id derives from it and the type, so it is queued once. */
  objectId: string;
  /** Whose endpoints hear of it (nulls are skipped): the object's owner and its circuit's operator. */
  organizations: (string | null)[];
  /** The object as the API shows it. Never a beneficiary's reference. */
  data: Record<string, unknown>;
}

/** The event's id: receivers dedupe on it. */
export function eventId(objectId: string, type: WebhookEventType): string {
  return derivedId(objectId, type);
}

/** Queues the events for the endpoints subscribed to them, in the caller's transaction. */
export async function enqueueEvents(tx: Queryable, events: readonly WebhookEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((event) => ({
    id: eventId(event.objectId, event.type),
    type: event.type,
    organizations: event.organizations.filter((organization) => organization !== null),
    data: event.data,
  }));
  await tx`select webhook_enqueue(${JSON.stringify(rows)}::text::jsonb)`;
}

/** Queues events of redemptions whose rows are written (the data is read from them), in the caller's transaction. */
export async function enqueueRedemptionEvents(tx: Queryable, events: readonly { id: string; type: RedemptionEventType }[]): Promise<void> {
  if (events.length === 0) return;
  await tx`select webhook_enqueue_redemptions(${events.map((event) => event.id)}::uuid[], ${events.map((event) => event.type)}::text[])`;
}
