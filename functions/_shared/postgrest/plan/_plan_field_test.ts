import assert from "node:assert/strict";
import { findTable } from "../../catalog/catalog.ts";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { planField } from "./_plan_field.ts";
import { catalog } from "../testdata/fixtures.ts";
import { field, idx, key } from "../testdata/helpers.ts";

const accounts = findTable(catalog, "accounts");
if (accounts === undefined) throw new Error("no accounts in the snapshot");

const cases: [string, ReturnType<typeof field>, { type: string; toJson: boolean }][] = [
  ["a plain column by its value type", field("annual_revenue"), { type: "numeric", toJson: false }],
  ["->> as text", field("address", key("->>", "city")), { type: "text", toJson: false }],
  ["-> on jsonb as jsonb", field("address", key("->", "geo")), { type: "jsonb", toJson: false }],
  ["a path on an array column through to_jsonb", field("tags", idx("->", 0)), {
    type: "jsonb",
    toJson: true,
  }],
  ["->> on an array column as text", field("tags", idx("->>", -1)), { type: "text", toJson: true }],
];

for (const [name, input, expected] of cases) {
  Deno.test(`planField() types ${name}`, () => {
    const planned = planField({ table: accounts, computed: [], schema: "public" }, input);
    assert.deepEqual({ type: planned.type, toJson: planned.toJson }, expected);
    assert.deepEqual(planned.jsonPath, input.jsonPath);
  });
}

Deno.test("planField() refuses a column the table does not have with 42703, as PostgREST does", () => {
  assert.throws(
    () => planField({ table: accounts, computed: [], schema: "public" }, field("Name")),
    (err: unknown) => {
      assert.ok(err instanceof PostgrestError);
      assert.deepEqual([err.code, err.status], ["42703", 400]);
      assert.equal(err.message, "column accounts.Name does not exist");
      return true;
    },
  );
});
