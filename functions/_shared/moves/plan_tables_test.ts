import assert from "node:assert/strict";
import type { Catalog, CatalogColumn, CatalogTable } from "../catalog/catalog.ts";
import { MoveError } from "./errors.ts";
import { planTables } from "./plan_tables.ts";

const TENANT_CATALOG = JSON.parse(
  await Deno.readTextFile(new URL("../catalog/testdata/catalog.json", import.meta.url)),
) as Catalog;

function column(name: string, extra: Partial<CatalogColumn> = {}): CatalogColumn {
  return {
    name,
    type: name === "updated_at" ? "timestamp with time zone" : "uuid",
    valueType: name === "updated_at" ? "timestamp with time zone" : "uuid",
    nullable: name !== "id",
    hasDefault: false,
    default: null,
    generated: false,
    identity: null,
    primaryKey: name === "id",
    ...extra,
  };
}

function table(name: string, references: string[] = [], extra: Partial<CatalogTable> = {}): CatalogTable {
  return {
    name,
    kind: "table",
    columns: [column("id"), column("tenant_id"), ...references.map((r) => column(`${r}_id`))],
    primaryKey: ["id"],
    uniqueKeys: [],
    foreignKeys: references.map((r) => ({
      name: `${name}_${r}_fkey`,
      columns: ["tenant_id", `${r}_id`],
      referencedTable: r,
      referencedColumns: ["tenant_id", "id"],
    })),
    ...extra,
  };
}

function catalog(...tables: CatalogTable[]): Catalog {
  return { schema: "public", version: "1", tables, functions: [] };
}

Deno.test("planTables() orders the 13 tenant tables parents first, from the catalog", () => {
  const tables = planTables(TENANT_CATALOG);
  assert.equal(tables.length, 13);
  const position = new Map(tables.map((t) => [t.name, t.ordinal]));
  for (const t of tables) {
    for (const parent of t.references) {
      assert.ok(position.get(parent)! < t.ordinal, `${parent} before ${t.name}`);
    }
  }
  assert.deepEqual(tables.slice(0, 4).map((t) => t.name), [
    "accounts",
    "pipeline_stages",
    "products",
    "venues",
  ]);
  assert.deepEqual(tables.map((t) => t.ordinal), [...tables.keys()]);
  const contacts = tables.find((t) => t.name === "contacts")!;
  assert.equal(contacts.qualifiedName, "public.contacts");
  assert.equal(contacts.key, "id");
  assert.equal(contacts.keyType, "uuid");
  assert.equal(contacts.updatedAt, "updated_at");
  assert.deepEqual(contacts.references, ["accounts"]);
  assert.equal(contacts.level, 1);
});

Deno.test("planTables() gives tables of one foreign-key depth the same level", () => {
  const tables = planTables(
    catalog(table("c", ["b", "a"]), table("b", ["a"]), table("a"), table("d", ["a"])),
  );
  assert.deepEqual(tables.map((t) => [t.name, t.level]), [["a", 0], ["b", 1], ["d", 1], ["c", 2]]);
});

Deno.test("planTables() skips tables without the tenant column, and references to them", () => {
  const shared = table("countries", [], { columns: [column("id")] });
  const tables = planTables(catalog(shared, table("a", ["countries"])));
  assert.deepEqual(tables.map((t) => [t.name, t.references]), [["a", []]]);
});

Deno.test("planTables() allows a self-reference and refuses a cycle between tables", () => {
  assert.deepEqual(planTables(catalog(table("tree", ["tree"]))).map((t) => t.level), [0]);
  assert.throws(
    () => planTables(catalog(table("a", ["b"]), table("b", ["a"]), table("c"))),
    (error: unknown) =>
      error instanceof MoveError && error.reason === "unsupported" && /cycle \(a, b\)/.test(error.message),
  );
});

Deno.test("planTables() refuses a tenant table without a single-column primary key", () => {
  const composite = table("pairs", [], { primaryKey: ["tenant_id", "id"] });
  assert.throws(() => planTables(catalog(composite)), /single-column primary key/);
  const none = table("heap", [], { primaryKey: [] });
  assert.throws(() => planTables(catalog(none)), MoveError);
});

Deno.test("planTables() copies every column but generated ones, and needs a timestamptz updated_at", () => {
  const t = table("a", [], {
    columns: [
      column("id"),
      column("tenant_id"),
      column("upper_name", { generated: true }),
      column("updated_at"),
    ],
  });
  const [planned] = planTables(catalog(t));
  assert.deepEqual(planned!.columns, ["id", "tenant_id", "updated_at"]);
  assert.equal(planned!.updatedAt, "updated_at");
  const text = table("b", [], {
    columns: [column("id"), column("tenant_id"), column("updated_at", { type: "text", valueType: "text" })],
  });
  assert.equal(planTables(catalog(text))[0]!.updatedAt, null);
});

Deno.test("planTables() leaves out views", () => {
  assert.deepEqual(planTables(catalog(table("v", [], { kind: "view" }))), []);
});
