import { Field, InputType } from 'type-graphql';

@InputType({
  description:
    'Confirms an irreversible deletion: the current password, or, for an account without one (Telegram ' +
    'only), nothing, when the session was signed in within the last 10 minutes.',
})
export class DeletionConfirmationInput {
  @Field(() => String, {
    nullable: true,
    description: 'The current password; required when the account has one.',
  })
  password?: string | null;
}
