import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, InputType } from 'type-graphql';
import { TokenScope } from './pat.entity.js';

@InputType({ description: 'A new personal access token.' })
export class CreateAccessTokenInput {
  @Field(() => String, { description: 'What it is for, 1 to 100 characters, e.g. "Spreadsheet sync".' })
  name!: string;

  @Field(() => [TokenScope], { description: 'READ for queries; add WRITE for mutations.' })
  scopes!: TokenScope[];

  @Field(() => ID, { description: 'The one family it reaches (one of yours).' })
  familyId!: string;

  @Field(() => DateTimeISOResolver, { description: 'When it stops working; at most 366 days ahead.' })
  expiresAt!: Date;
}
