import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DeliveryStatus, WebhookEvent, type DeliveryRow, type WebhookRow } from './webhook.read.js';

registerEnumType(WebhookEvent, {
  name: 'WebhookEvent',
  description: 'What a webhook endpoint receives; the payload `type` is the lower-case, dotted name.',
  valuesConfig: {
    TRANSACTION_CREATED: { description: 'A transaction was recorded (`transaction.created`).' },
    TRANSACTION_UPDATED: { description: 'A transaction was changed (`transaction.updated`).' },
    TRANSACTION_DELETED: { description: 'A transaction was deleted (`transaction.deleted`).' },
    BUDGET_ALERT: {
      description: 'A budget reached 80 % or 100 % of its limit this period (`budget.alert`).',
    },
    SCHEDULE_DUE: {
      description: 'A scheduled transaction came due: posted, or waiting for confirmation (`schedule.due`).',
    },
  },
});

registerEnumType(DeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a delivery stands.',
  valuesConfig: {
    PENDING: { description: 'Not delivered yet; attempts go on.' },
    DELIVERED: { description: 'The receiver answered 2xx.' },
    FAILED: { description: 'Every attempt failed; no more will be made (redeliverWebhook sends it again).' },
  },
});

@ObjectType('Webhook', {
  description: "An endpoint that receives a family's events, signed (Standard Webhooks).",
})
export class WebhookObject implements WebhookRow {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'Where deliveries are POSTed.' })
  url!: string;

  @Field(() => String, { description: 'What it is for.' })
  description!: string;

  @Field(() => [WebhookEvent], { description: 'The events it receives.' })
  events!: WebhookEvent[];

  @Field(() => Boolean, { description: 'Whether deliveries are made.' })
  enabled!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Why the server disabled it (deliveries kept failing), if it did.',
  })
  disabledReason!: string | null;

  @Field(() => DateTimeISOResolver, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => DateTimeISOResolver, { description: 'When it was last changed.' })
  updatedAt!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When a delivery last succeeded.' })
  lastSuccessAt!: Date | null;
}

@ObjectType({ description: 'A new webhook endpoint and its signing secret.' })
export class CreatedWebhook {
  @Field(() => WebhookObject, { description: 'The endpoint.' })
  webhook!: WebhookRow;

  @Field(() => String, {
    description:
      'The signing secret (`whsec_` + base64 of 32 bytes): the HMAC key is the decoded bytes. Shown only here.',
  })
  secret!: string;
}

@ObjectType('WebhookDelivery', { description: 'One event sent (or being sent) to one endpoint.' })
export class WebhookDeliveryObject implements Omit<DeliveryRow, 'eventType'> {
  @Field(() => ID, { description: 'Stable identifier; redeliverWebhook takes it.' })
  id!: string;

  @Field(() => ID, { description: 'The endpoint.' })
  webhookId!: string;

  @Field(() => String, {
    description: 'The `webhook-id` header: the same on every attempt and redelivery of this event.',
  })
  eventId!: string;

  @Field(() => DeliveryStatus, { description: 'Where it stands.' })
  status!: DeliveryStatus;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts!: number;

  @Field(() => Int, { nullable: true, description: "The receiver's status code at the last attempt." })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed, if it did.' })
  lastError!: string | null;

  @Field(() => DateTimeISOResolver, { description: 'When the event happened.' })
  createdAt!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When the last attempt was made.' })
  lastAttemptAt!: Date | null;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When it was delivered.' })
  deliveredAt!: Date | null;
}
