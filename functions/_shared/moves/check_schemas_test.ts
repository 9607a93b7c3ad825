import assert from "node:assert/strict";
import type { Catalog } from "../catalog/catalog.ts";
import { checkSchemas } from "./check_schemas.ts";
import { MoveError } from "./errors.ts";
import { planTables } from "./plan_tables.ts";

const CATALOG = JSON.parse(
  await Deno.readTextFile(new URL("../catalog/testdata/catalog.json", import.meta.url)),
) as Catalog;
const TABLES = planTables(CATALOG);

function refusal(fn: () => void): MoveError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MoveError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

Deno.test("checkSchemas() accepts two databases at the same version", () => {
  const side = { version: "20261126140500", catalog: CATALOG };
  checkSchemas({ name: "a", ...side }, { name: "b", ...side }, TABLES);
});

Deno.test("checkSchemas() refuses different versions and says which data source to provision", () => {
  const error = refusal(() =>
    checkSchemas(
      { name: "tenant_shared", version: "20261126140500", catalog: CATALOG },
      { name: "tenant_eu", version: "20261126140400", catalog: CATALOG },
      TABLES,
    )
  );
  assert.equal(error.reason, "schema_mismatch");
  assert.match(
    error.message,
    /source "tenant_shared" is at 20261126140500, target "tenant_eu" at 20261126140400/,
  );
  assert.match(error.hint!, /provision tenant_eu/);
});

Deno.test("checkSchemas() refuses a target without the tenant schema", () => {
  const error = refusal(() =>
    checkSchemas({ name: "a", version: "1", catalog: CATALOG }, {
      name: "empty",
      version: null,
      catalog: CATALOG,
    }, TABLES)
  );
  assert.match(error.message, /Target "empty" has no tenant schema/);
});

Deno.test("checkSchemas() accepts a legacy source without a version when every column matches", () => {
  checkSchemas({ name: "legacy", version: null, catalog: CATALOG }, {
    name: "t",
    version: "1",
    catalog: CATALOG,
  }, TABLES);
  const narrowed: Catalog = {
    ...CATALOG,
    tables: CATALOG.tables.map((t) =>
      t.name !== "contacts" ? t : {
        ...t,
        columns: t.columns.map((c) => c.name === "email" ? { ...c, type: "character varying(20)" } : c),
      }
    ),
  };
  const error = refusal(() =>
    checkSchemas({ name: "legacy", version: null, catalog: CATALOG }, {
      name: "t",
      version: "1",
      catalog: narrowed,
    }, TABLES)
  );
  assert.match(
    error.message,
    /public\.contacts\.email differs: source "legacy" has text, target "t" has character varying\(20\)/,
  );
  const missing: Catalog = { ...CATALOG, tables: CATALOG.tables.filter((t) => t.name !== "notes") };
  assert.match(
    refusal(() =>
      checkSchemas({ name: "l", version: null, catalog: CATALOG }, {
        name: "t",
        version: "1",
        catalog: missing,
      }, TABLES)
    )
      .message,
    /has no table public\.notes/,
  );
});
