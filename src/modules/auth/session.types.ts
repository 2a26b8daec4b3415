import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { SessionRow } from './session.read.js';

/** GraphQL names for the `via` column's values. */
export enum SessionClientType {
  WEB = 'web',
  TELEGRAM = 'telegram',
}

registerEnumType(SessionClientType, {
  name: 'SessionClient',
  description: 'How a session was opened.',
  valuesConfig: {
    WEB: { description: 'Email + password, from a browser, an app or a script.' },
    TELEGRAM: { description: 'The Telegram bot, on behalf of the user.' },
  },
});

@ObjectType('Session', { description: 'A signed-in device or client of the user.' })
export class SessionObject implements Omit<SessionRow, 'client'> {
  @Field(() => ID, { description: 'Identifier, for revokeSession.' })
  id!: string;

  @Field(() => SessionClientType, { description: 'How the session was opened.' })
  client!: SessionClientType;

  @Field(() => String, {
    nullable: true,
    description: 'The User-Agent header of the sign-in: which browser or app, as it names itself.',
  })
  userAgent!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Client address of the latest sign-in or refresh (for the bot: the bot server).',
  })
  ip!: string | null;

  @Field(() => DateTimeISOResolver, { description: 'When the user signed in.' })
  createdAt!: Date;

  @Field(() => DateTimeISOResolver, {
    description: 'The latest sign-in or token refresh; a client in use refreshes at least every 15 minutes.',
  })
  lastUsedAt!: Date;

  @Field(() => DateTimeISOResolver, { description: 'When the session ends however often it is used.' })
  expiresAt!: Date;

  @Field(() => Boolean, { description: 'Whether this is the session of the request asking.' })
  current!: boolean;
}
