import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { AuthResolver } from './modules/auth/auth.resolver.js';
import { HealthResolver } from './modules/health/health.resolver.js';

export const resolvers = [AuthResolver, HealthResolver] as const;

/** The executable schema; also printed to schema.graphql by `npm run schema`. */
export function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeISOResolver }],
    validate: false,
  });
}
