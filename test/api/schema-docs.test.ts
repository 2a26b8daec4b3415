import { readFileSync } from 'node:fs';
import * as g from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSchema } from '../../src/schema.js';

const BUILT_IN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);
const hasText = (description: string | null | undefined) => (description ?? '').trim() !== '';

describe('schema documentation', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await createSchema();
  });

  it('every type, field, argument, input field and enum value has a description', () => {
    const missing: string[] = [];
    const check = (coordinate: string, description: string | null | undefined) => {
      if (!hasText(description)) missing.push(coordinate);
    };
    let checked = 0;
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || BUILT_IN_SCALARS.has(type.name)) continue;
      checked++;
      check(type.name, type.description);
      if (g.isObjectType(type) || g.isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          check(`${type.name}.${field.name}`, field.description);
          for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name}:)`, arg.description);
        }
      } else if (g.isInputObjectType(type)) {
        for (const field of Object.values(type.getFields()))
          check(`${type.name}.${field.name}`, field.description);
      } else if (g.isEnumType(type)) {
        for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
      }
    }
    for (const directive of schema.getDirectives()) {
      if (g.isSpecifiedDirective(directive)) continue;
      check(`@${directive.name}`, directive.description);
      for (const arg of directive.args) check(`@${directive.name}(${arg.name}:)`, arg.description);
    }
    expect(checked).toBeGreaterThan(3);
    expect(missing, `missing descriptions:\n  ${missing.join('\n  ')}`).toEqual([]);
  });

  it('the committed schema.graphql is the printed schema (run `npm run schema` after changing it)', () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    const printed = `${g.printSchema(g.lexicographicSortSchema(schema))}\n`;
    expect(committed).toBe(printed);
  });
});
