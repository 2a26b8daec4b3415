import { readFileSync } from 'node:fs';
import { checkSchemaEvolution, type Acknowledgement } from './lib/schema-evolution.js';

/**
 * `npm run check`: schema.graphql against schema.release.graphql, the schema of the last release
 * (committed, so a clean clone has it; refreshed by `npm run schema:release` when a release is cut).
 * A breaking change fails unless schema.breaking.json acknowledges it with a reason; so does a
 * deprecation without a reason of its own. docs/integrators.md states the policy.
 */
const read = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
const acknowledged = JSON.parse(read('schema.breaking.json')) as Acknowledgement[];
const report = await checkSchemaEvolution(
  read('schema.release.graphql'),
  read('schema.graphql'),
  acknowledged,
);

const problems = [
  ...report.unacknowledged.map(
    (c) =>
      `breaking: ${c.message} (acknowledge in schema.breaking.json: {"path": "${c.path}", "type": "${c.type}", "reason": "..."})`,
  ),
  ...report.deprecatedWithoutReason.map(
    (where) => `deprecated without a reason: ${where} (say why, and what to use instead)`,
  ),
  ...report.stale.map((ack) => `stale acknowledgement in schema.breaking.json: ${ack.type} at ${ack.path}`),
];
if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
console.log('schema.graphql keeps every client of the last release working.');
