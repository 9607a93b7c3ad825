// loadCatalog() against the local tenant databases. Set UPDATE_CATALOG_SNAPSHOT=1 to rewrite
// testdata/catalog.json from TENANT_SHARED_DB_URL after a migration.
import assert from "node:assert/strict";
import type { Catalog } from "./catalog.ts";
import { loadCatalog } from "./load_catalog.ts";
import { ACME_DB_URL, SHARED_DB_URL, withDb } from "../postgrest/testdata/db.ts";
import { catalog as snapshot } from "../postgrest/testdata/fixtures.ts";
import { SYNTHETIC_CATALOG, SYNTHETIC_SCHEMA, syntheticDdl } from "../postgrest/testdata/synthetic.ts";

/** Table → column names: the shape the snapshot must keep with the live schema. */
function shape(catalog: Catalog): Record<string, string[]> {
  return Object.fromEntries(catalog.tables.map((table) => [table.name, table.columns.map((c) => c.name)]));
}

const databases: [string, string | undefined][] = [
  ["tenant_shared", SHARED_DB_URL],
  ["tenant_acme", ACME_DB_URL],
];

for (const [name, url] of databases) {
  Deno.test({
    name:
      `loadCatalog() of ${name} has the snapshot's tables and columns (testdata/catalog.json cannot drift)`,
    async fn() {
      const live = await withDb(url ?? "", (sql) => loadCatalog(sql));
      if (name === "tenant_shared" && Deno.env.get("UPDATE_CATALOG_SNAPSHOT") === "1") {
        await Deno.writeTextFile(
          new URL("./testdata/catalog.json", import.meta.url),
          `${JSON.stringify(live, null, 2)}\n`,
        );
      }
      assert.deepEqual(shape(live), shape(snapshot));
      assert.deepEqual(live, snapshot, "keys, types and defaults match too");
    },
  });
}

Deno.test({
  name: "loadCatalog() reads the version from private.schema_version()",
  async fn() {
    const [live, version] = await withDb(SHARED_DB_URL ?? "", async (sql) => {
      const [row] = await sql<{ v: string }[]>`select private.schema_version() as v`;
      return [await loadCatalog(sql), row?.v] as const;
    });
    assert.match(live.version, /^\d{14}$/);
    assert.equal(live.version, version);
  },
});

Deno.test({
  name: "loadCatalog() falls back to a digest version without private.schema_version()",
  async fn() {
    const live = await withDb(Deno.env.get("SUPABASE_DB_URL") ?? "", (sql) => loadCatalog(sql));
    assert.match(live.version, /^sha256:[0-9a-f]{16}$/);
  },
});

Deno.test({
  name: "loadCatalog() reads composite keys, junctions, generated and identity columns and functions",
  async fn() {
    const schema = `pgrst_load_${crypto.randomUUID().slice(0, 8)}`;
    const live = await withDb(SHARED_DB_URL ?? "", async (sql) => {
      await sql.unsafe(syntheticDdl(schema));
      try {
        return await loadCatalog(sql, { schema });
      } finally {
        await sql.unsafe(`drop schema ${schema} cascade`);
      }
    });
    assert.equal(live.schema, schema);
    assert.deepEqual(live.tables, SYNTHETIC_CATALOG.tables);
    // Type names carry the schema, random here.
    assert.deepEqual(
      JSON.parse(JSON.stringify(live.functions).replaceAll(schema, SYNTHETIC_SCHEMA)),
      SYNTHETIC_CATALOG.functions,
    );
  },
});

Deno.test("the snapshot holds the 13 tables of the tenant schema with their composite foreign keys", () => {
  assert.equal(snapshot.schema, "public");
  assert.equal(snapshot.tables.filter((table) => table.kind === "table").length, 13);
  assert.deepEqual(
    snapshot.tables.filter((table) => table.kind === "view").map((table) => table.name),
    ["open_opportunities", "reachable_contacts"],
  );
  const contacts = snapshot.tables.find((table) => table.name === "contacts");
  assert.deepEqual(contacts?.foreignKeys, [{
    name: "contacts_account_id_fkey",
    columns: ["tenant_id", "account_id"],
    referencedTable: "accounts",
    referencedColumns: ["tenant_id", "id"],
  }]);
  assert.deepEqual(contacts?.uniqueKeys.map((key) => key.columns), [["tenant_id", "email"], [
    "tenant_id",
    "id",
  ]]);
  assert.equal(contacts?.columns.find((c) => c.name === "tenant_id")?.default, "private.request_tenant_id()");
});
