import { CriticalityLevel, diff } from '@graphql-inspector/core';
import {
  DEFAULT_DEPRECATION_REASON,
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLSchema,
} from 'graphql';

/** A breaking change the team decided to ship: which one (its `path` and `type`), and why. */
export interface Acknowledgement {
  path: string;
  type: string;
  reason: string;
}

export interface EvolutionReport {
  /** Breaking changes against the release that no acknowledgement covers: each fails the check. */
  unacknowledged: { path: string; type: string; message: string }[];
  /** Deprecated fields, arguments and enum values without a reason of their own. */
  deprecatedWithoutReason: string[];
  /** Acknowledgements that match no breaking change any more: stale, to be removed. */
  stale: Acknowledgement[];
}

/**
 * Compares the schema with the last release's (graphql-inspector's criticality decides what breaks a
 * client), and checks that every deprecation says why and what to use instead.
 */
export async function checkSchemaEvolution(
  releaseSdl: string,
  currentSdl: string,
  acknowledged: readonly Acknowledgement[],
): Promise<EvolutionReport> {
  const current = buildSchema(currentSdl);
  const changes = await diff(buildSchema(releaseSdl), current);
  const breaking = changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .map((change) => ({ path: change.path ?? '', type: String(change.type), message: change.message }));
  const covers = (ack: Acknowledgement, change: { path: string; type: string }) =>
    ack.path === change.path && ack.type === change.type && ack.reason.trim() !== '';
  return {
    unacknowledged: breaking.filter((change) => !acknowledged.some((ack) => covers(ack, change))),
    deprecatedWithoutReason: deprecationsWithoutReason(current),
    stale: acknowledged.filter((ack) => !breaking.some((change) => covers(ack, change))),
  };
}

function deprecationsWithoutReason(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (where: string, reason: string | null | undefined) => {
    if (reason === null || reason === undefined) return;
    if (reason.trim() === '' || reason === DEFAULT_DEPRECATION_REASON) missing.push(where);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.deprecationReason);
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name})`, arg.deprecationReason);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        check(`${type.name}.${field.name}`, field.deprecationReason);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.deprecationReason);
    }
  }
  return missing;
}
