import assert from "node:assert/strict";
import { findTable } from "../../catalog/catalog.ts";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import type { PlannedEmbed } from "./plan.ts";
import { planCondition } from "./_plan_condition.ts";
import { catalog } from "../testdata/fixtures.ts";
import { cmp, field } from "../testdata/helpers.ts";

const contacts = findTable(catalog, "contacts");
if (contacts === undefined) throw new Error("no contacts in the snapshot");
const embed = { join: "left", toOne: true } as unknown as PlannedEmbed;
const embeds = [{ names: ["account", "accounts"], embed }];

Deno.test("planCondition() types a filter's column and keeps its operation", () => {
  assert.deepEqual(
    planCondition({ table: contacts, computed: [], schema: "public" }, {
      kind: "filter",
      field: field("email"),
      negated: true,
      operation: cmp("eq", "x"),
    }, {
      embeds,
    }),
    {
      kind: "filter",
      field: { column: "email", computedIn: null, jsonPath: [], toJson: false, type: "text" },
      negated: true,
      operation: cmp("eq", "x"),
    },
  );
});

Deno.test("planCondition() plans a logic tree recursively", () => {
  const planned = planCondition({ table: contacts, computed: [], schema: "public" }, {
    kind: "logic",
    operator: "or",
    negated: true,
    children: [{ kind: "filter", field: field("name"), negated: false, operation: cmp("eq", "a") }, {
      kind: "logic",
      operator: "and",
      negated: false,
      children: [],
    }],
  }, { embeds });
  assert.equal(planned.kind === "logic" && planned.children.length, 2);
});

const nullFilters: [string, boolean, "null" | "not_null", boolean][] = [
  ["is.null", false, "null", true],
  ["not.is.null", true, "null", false],
  ["is.not_null", false, "not_null", false],
  ["not.is.not_null", true, "not_null", true],
];

for (const [text, negated, value, isNull] of nullFilters) {
  Deno.test(`planCondition() reads account=${text} as an embed ${isNull ? "without" : "with"} rows`, () => {
    const condition = {
      kind: "filter",
      field: field("account"),
      negated,
      operation: { kind: "is", value },
    } as const;
    assert.deepEqual(
      planCondition({ table: contacts, computed: [], schema: "public" }, condition, { embeds }),
      { kind: "embed", embed, isNull },
    );
  });
}

Deno.test("planCondition() refuses another operator on an embed with PGRST120", () => {
  const condition = {
    kind: "filter",
    field: field("accounts"),
    negated: false,
    operation: cmp("eq", "x"),
  } as const;
  assert.throws(
    () => planCondition({ table: contacts, computed: [], schema: "public" }, condition, { embeds }),
    (err: unknown) => {
      assert.ok(err instanceof PostgrestError);
      assert.deepEqual([err.code, err.details], [
        "PGRST120",
        "Only is null or not is null filters are allowed on embedded resources",
      ]);
      return true;
    },
  );
});

Deno.test("planCondition() refuses an unknown name with 42703", () => {
  const condition = {
    kind: "filter",
    field: field("nope"),
    negated: false,
    operation: cmp("eq", "x"),
  } as const;
  assert.throws(
    () => planCondition({ table: contacts, computed: [], schema: "public" }, condition, { embeds }),
    /column contacts\.nope does not exist/,
  );
});
