import { Field, ID, InputType } from 'type-graphql';
import { WebhookEvent } from './webhook.read.js';

@InputType({ description: 'A new webhook endpoint.' })
export class CreateWebhookInput {
  @Field(() => String, {
    description:
      'Where deliveries are POSTed: an http(s) URL whose host is a public address (private, loopback and link-local ones are refused).',
  })
  url!: string;

  @Field(() => [WebhookEvent], { description: 'The events it receives; at least one.' })
  events!: WebhookEvent[];

  @Field(() => ID, {
    description: 'The family whose events it receives (you must be its owner or an admin).',
  })
  familyId!: string;

  @Field(() => String, { nullable: true, description: 'What it is for, at most 200 characters.' })
  description?: string | null;
}

@InputType({ description: 'Changes to a webhook endpoint; omitted fields stay as they are.' })
export class UpdateWebhookInput {
  @Field(() => String, { nullable: true, description: 'A new URL (checked like a new one).' })
  url?: string | null;

  @Field(() => [WebhookEvent], { nullable: true, description: 'The events it receives from now on.' })
  events?: WebhookEvent[] | null;

  @Field(() => String, { nullable: true, description: 'A new description.' })
  description?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'false pauses deliveries; true resumes them (also after the server disabled it).',
  })
  enabled?: boolean | null;
}
