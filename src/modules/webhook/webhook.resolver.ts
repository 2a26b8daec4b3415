import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { CreateWebhookInput, UpdateWebhookInput } from './webhook.inputs.js';
import { eventOfType, WebhookEvent, type DeliveryRow, type WebhookRow } from './webhook.read.js';
import { CreatedWebhook, WebhookDeliveryObject, WebhookObject } from './webhook.types.js';

@Resolver()
export class WebhookResolver {
  @Query(() => [WebhookObject], {
    description: "A family's webhook endpoints, oldest first (owners and admins).",
  })
  async webhooks(
    @Arg('familyId', () => ID, { description: 'The family.' }) familyId: string,
    @Ctx() ctx: Context,
  ): Promise<WebhookRow[]> {
    return (await ctx.finance()).webhooks.list(familyId);
  }

  @Query(() => [WebhookDeliveryObject], {
    description: "An endpoint's delivery log, newest first: attempts, status codes, errors.",
  })
  async webhookDeliveries(
    @Arg('webhookId', () => ID, { description: 'The endpoint.' }) webhookId: string,
    @Arg('first', () => Int, { defaultValue: 20, description: 'How many, 1 to 100.' }) first: number,
    @Ctx() ctx: Context,
  ): Promise<DeliveryRow[]> {
    return (await ctx.finance()).webhooks.deliveries(webhookId, first);
  }

  @Mutation(() => CreatedWebhook, {
    description:
      'Creates a webhook endpoint (owners and admins). Its signing secret is in this answer and nowhere else.',
  })
  async createWebhook(
    @Arg('input', () => CreateWebhookInput, { description: 'The endpoint.' }) input: CreateWebhookInput,
    @Ctx() ctx: Context,
  ): Promise<CreatedWebhook> {
    return (await ctx.finance()).webhooks.create(await ctx.principal(), input);
  }

  @Mutation(() => WebhookObject, { description: "Changes an endpoint's URL, events, description or state." })
  async updateWebhook(
    @Arg('id', () => ID, { description: 'The endpoint.' }) id: string,
    @Arg('input', () => UpdateWebhookInput, { description: 'The changes.' }) input: UpdateWebhookInput,
    @Ctx() ctx: Context,
  ): Promise<WebhookRow> {
    return (await ctx.finance()).webhooks.update(id, input);
  }

  @Mutation(() => ID, { description: 'Deletes an endpoint and its delivery log; answers its id.' })
  async deleteWebhook(
    @Arg('id', () => ID, { description: 'The endpoint.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<string> {
    return (await ctx.finance()).webhooks.delete(id);
  }

  @Mutation(() => WebhookDeliveryObject, {
    description:
      'Sends an event again, with the same webhook-id, as a new delivery (the endpoint must be enabled).',
  })
  async redeliverWebhook(
    @Arg('deliveryId', () => ID, { description: 'A delivery of the event.' }) deliveryId: string,
    @Ctx() ctx: Context,
  ): Promise<DeliveryRow> {
    return (await ctx.finance()).webhooks.redeliver(deliveryId);
  }
}

@Resolver(() => WebhookDeliveryObject)
export class WebhookDeliveryResolver {
  @FieldResolver(() => WebhookEvent, { description: 'What happened.' })
  event(@Root() delivery: DeliveryRow): WebhookEvent {
    return eventOfType(delivery.eventType);
  }
}
