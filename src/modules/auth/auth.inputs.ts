import { Field, InputType, Int, ObjectType } from 'type-graphql';
import type { UserRow } from './user.read.js';
import { UserObject } from './user.types.js';

@InputType({ description: 'A new email + password account.' })
export class RegisterInput {
  @Field(() => String, { description: 'Email address; used to sign in. Case does not matter.' })
  email!: string;

  @Field(() => String, { description: '8 to 128 characters; common passwords are refused.' })
  password!: string;

  @Field(() => String, { description: 'First name, 1 to 100 characters.' })
  firstName!: string;

  @Field(() => String, { nullable: true, description: 'Last name, up to 100 characters.' })
  lastName?: string | null;
}

@InputType({ description: 'Email + password credentials.' })
export class LoginInput {
  @Field(() => String, { description: 'Email address of the account.' })
  email!: string;

  @Field(() => String, { description: 'Password of the account.' })
  password!: string;
}

@InputType({ description: 'Change the password of the signed-in user.' })
export class ChangePasswordInput {
  @Field(() => String, { description: 'The current password, to prove it is really the user.' })
  currentPassword!: string;

  @Field(() => String, { description: 'The new password: 8 to 128 characters, not a common one.' })
  newPassword!: string;
}

@ObjectType({ description: 'Tokens for a signed-in session.' })
export class AuthPayload {
  @Field(() => String, {
    description: 'Short-lived JWT; send it as `Authorization: Bearer <token>`.',
  })
  accessToken!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Opaque, single-use token for `refreshToken`; each use returns a new one. Null when it was handed ' +
      'over as a cookie (`refreshTokenIn: COOKIE`).',
  })
  refreshToken!: string | null;

  /** When the refresh token stops working unless used: the cookie's expiry. Not a GraphQL field. */
  refreshTokenExpiresAt!: Date;

  @Field(() => Int, { description: 'Seconds until the access token expires.' })
  expiresIn!: number;

  @Field(() => UserObject, { description: 'The signed-in user.' })
  user!: UserRow;
}
