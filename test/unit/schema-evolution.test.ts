import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSchemaEvolution, type Acknowledgement } from '../../scripts/lib/schema-evolution.js';

/** The schema evolution check of `npm run check` (docs/integrators.md, “How the schema changes”). */
const RELEASE = `
type Query {
  accounts(first: Int): [Account!]!
  health: Boolean!
}
type Account { id: ID! name: String! kind: Kind! }
enum Kind { CASH CARD }
`;

describe('schema evolution check', () => {
  it('lets additions through', async () => {
    const current = `${RELEASE}\nextend type Query { goals: [String!]! }\nextend type Account { note: String }`;
    expect(await checkSchemaEvolution(RELEASE, current, [])).toEqual({
      unacknowledged: [],
      deprecatedWithoutReason: [],
      stale: [],
    });
  });

  it('fails on a removed field, a changed type and a removed enum value unless each is acknowledged with a reason', async () => {
    const current = `
      type Query { accounts(first: Int): [Account!] }
      type Account { id: ID! name: String! kind: Kind! }
      enum Kind { CASH }
    `;
    const report = await checkSchemaEvolution(RELEASE, current, []);
    expect(report.unacknowledged.map((c) => `${c.type} ${c.path}`).sort()).toEqual(
      [
        'ENUM_VALUE_REMOVED Kind.CARD',
        'FIELD_REMOVED Query.health',
        'FIELD_TYPE_CHANGED Query.accounts',
      ].sort(),
    );
    const acks: Acknowledgement[] = report.unacknowledged.map((c) => ({
      path: c.path,
      type: c.type,
      reason: 'no client uses it',
    }));
    expect((await checkSchemaEvolution(RELEASE, current, acks)).unacknowledged).toEqual([]);
    const withoutReason = acks.map((ack) => ({ ...ack, reason: ' ' }));
    expect((await checkSchemaEvolution(RELEASE, current, withoutReason)).unacknowledged).toHaveLength(3);
  });

  it('reports an acknowledgement that matches no breaking change as stale', async () => {
    const stale = { path: 'Query.health', type: 'FIELD_REMOVED', reason: 'gone' };
    expect((await checkSchemaEvolution(RELEASE, RELEASE, [stale])).stale).toEqual([stale]);
  });

  it('wants a reason for every deprecation', async () => {
    const current = `
      type Query {
        accounts(first: Int @deprecated): [Account!]!
        health: Boolean! @deprecated
      }
      type Account { id: ID! name: String! @deprecated(reason: "Use label.") kind: Kind! }
      enum Kind { CASH CARD @deprecated(reason: "") }
    `;
    expect((await checkSchemaEvolution(RELEASE, current, [])).deprecatedWithoutReason.sort()).toEqual(
      ['Kind.CARD', 'Query.accounts(first)', 'Query.health'].sort(),
    );
  });

  it('passes for the committed schema against the committed release', async () => {
    const read = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');
    const report = await checkSchemaEvolution(
      read('schema.release.graphql'),
      read('schema.graphql'),
      JSON.parse(read('schema.breaking.json')) as Acknowledgement[],
    );
    expect(report).toEqual({ unacknowledged: [], deprecatedWithoutReason: [], stale: [] });
  });
});
