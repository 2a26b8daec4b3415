import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { TokenScope } from './pat.entity.js';
import type { AccessTokenRow } from './pat.read.js';

registerEnumType(TokenScope, {
  name: 'TokenScope',
  description: "What a personal access token may do, within its owner's role in its family.",
  valuesConfig: {
    READ: { description: 'Queries.' },
    WRITE: { description: 'Mutations (the finance ones; never passwords, sessions or tokens).' },
  },
});

/** The GraphQL `AccessToken`: everything about a personal access token except its secret. */
@ObjectType('AccessToken', {
  description: 'A personal access token for scripts and integrations, bound to one family and its scopes.',
})
export class AccessTokenObject implements Omit<AccessTokenRow, 'familyId'> {
  @Field(() => ID, { description: 'Stable identifier; revokeAccessToken takes it.' })
  id!: string;

  @Field(() => String, { description: 'What it is for, as its owner named it.' })
  name!: string;

  @Field(() => [TokenScope], { description: 'What it may do.' })
  scopes!: TokenScope[];

  @Field(() => ID, { description: 'The one family it reaches.' })
  familyId!: string;

  @Field(() => DateTimeISOResolver, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => DateTimeISOResolver, { description: 'When it stops working.' })
  expiresAt!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When it was revoked, if it was.' })
  revokedAt!: Date | null;

  @Field(() => DateTimeISOResolver, {
    nullable: true,
    description: 'When it was last used (recorded at most once a minute).',
  })
  lastUsedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'The client address it was last used from.' })
  lastUsedIp!: string | null;
}

@ObjectType({ description: 'A new personal access token and its secret.' })
export class CreatedAccessToken {
  @Field(() => AccessTokenObject, { description: 'The token.' })
  token!: AccessTokenRow;

  @Field(() => String, {
    description:
      'The secret, sent as `Authorization: Bearer <secret>`. Shown only here: the server keeps a hash of it.',
  })
  secret!: string;
}
