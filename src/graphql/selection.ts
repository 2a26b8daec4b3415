import type { GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';

/**
 * The names of the fields a query selects at `path` below the field being resolved (e.g. `edges.node`
 * of a connection), with fragments, aliases and @skip/@include already applied. Lets a read leave out
 * the joins nobody asked for.
 */
export function selectedFields(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  let level: ResolveTree[] = [parseResolveInfo(info) as ResolveTree];
  for (const name of path) level = children(level).filter((field) => field.name === name);
  return new Set(children(level).map((field) => field.name));
}

const children = (fields: ResolveTree[]): ResolveTree[] =>
  fields.flatMap((field) =>
    Object.values(field.fieldsByTypeName).flatMap((byAlias) => Object.values(byAlias)),
  );
