import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { UserRow } from './user.read.js';

/** The GraphQL `User`; resolvers receive a `UserRow`. Secrets (password hash, lockout state) are no field. */
@ObjectType('User', {
  description: 'A person using the product, signed in by email + password, Telegram, or both.',
})
export class UserObject implements Omit<UserRow, 'defaultFamilyId' | 'own'> {
  @Field(() => ID, { description: 'Stable identifier of the user.' })
  id!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Email address, lower-cased; null for a Telegram-only user.',
  })
  email!: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Telegram user id (a 64-bit integer, as a string), when a Telegram account is linked.',
  })
  telegramId!: string | null;

  @Field(() => Boolean, { description: 'Whether the email address has been verified.' })
  emailVerified!: boolean;

  @Field(() => String, { description: 'First name, as the user gave it.' })
  firstName!: string;

  @Field(() => String, { nullable: true, description: 'Last name, if given.' })
  lastName!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The language the user chose for replies ("en", "ru"); null until chosen.',
  })
  language!: string | null;

  @Field(() => DateTimeISOResolver, { description: 'When the account was created.' })
  createdAt!: Date;
}
