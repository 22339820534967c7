/**
 * Another server process changing the scope catalogue, for tests/integration/scopes.test.ts:
 * `node --import tsx tests/support/scope-editor.ts <target JSON> <scope name> <new description>`.
 * Prints the catalogue as this process read it before the change (so it is cached here too).
 */
import { systemActor } from "../../lib/audit/actor.ts";
import { connect } from "../../lib/db/client.ts";
import type { DatabaseTarget } from "../../lib/db/url.ts";
import { scopeCatalogue } from "../../lib/scopes/catalogue.ts";
import { updateScope } from "../../lib/scopes/commands.ts";

const [target, name, description] = process.argv.slice(2);
if (!target || !name || !description) throw new Error("usage: scope-editor.ts <target JSON> <name> <description>");
const db = connect(JSON.parse(target) as DatabaseTarget);
try {
  await scopeCatalogue(db).read();
  const scope = await db.scope.findUniqueOrThrow({ where: { name } });
  const result = await updateScope(db, scope.id, { ...scope, description }, systemActor, {
    expectedVersion: scope.updatedAt,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  console.log(JSON.stringify((await scopeCatalogue(db).read())[name]));
} finally {
  await db.$disconnect();
}
