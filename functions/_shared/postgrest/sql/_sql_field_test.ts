import assert from "node:assert/strict";
import { fieldSql } from "./_sql_field.ts";
import { ident, render } from "./sql_fragment.ts";
import { idx, key } from "../testdata/helpers.ts";

const alias = ident("pgrst_t0");

Deno.test("fieldSql() qualifies a plain column with the level's alias", () => {
  const field = { column: "email", computedIn: null, jsonPath: [], toJson: false, type: "text" };
  assert.deepEqual(render(fieldSql(field, alias)), { text: '"pgrst_t0"."email"', params: [] });
});

Deno.test("fieldSql() binds JSON path keys and indexes", () => {
  const field = {
    column: "address",
    computedIn: null,
    jsonPath: [key("->", "geo'); drop"), idx("->", -1), key("->>", "lat")],
    toJson: false,
    type: "text",
  };
  assert.deepEqual(render(fieldSql(field, alias)), {
    text: '("pgrst_t0"."address"->$1::text->$2::int4->>$3::text)',
    params: ["geo'); drop", -1, "lat"],
  });
});

Deno.test("fieldSql() applies a path to to_jsonb() of a column that is not JSON", () => {
  const field = { column: "tags", computedIn: null, jsonPath: [idx("->>", 0)], toJson: true, type: "text" };
  assert.equal(render(fieldSql(field, alias)).text, '(to_jsonb("pgrst_t0"."tags")->>$1::int4)');
});
