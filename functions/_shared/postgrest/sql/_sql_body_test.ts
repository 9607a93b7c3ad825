import assert from "node:assert/strict";
import { bodySql } from "./_sql_body.ts";
import { render } from "./sql_fragment.ts";

const name = { name: "name", type: "text", default: null };
const tags = { name: "tags", type: "text[]", default: "'{}'::text[]" };

Deno.test("bodySql() reads an object with json_to_record and catalog types", () => {
  assert.deepEqual(render(bodySql({ kind: "object", raw: '{"name":"a"}' }, [name])), {
    text: 'json_to_record(CAST($1::text AS json)) AS "pgrst_body"("name" text)',
    params: ['{"name":"a"}'],
  });
});

Deno.test("bodySql() reads an array with json_to_recordset", () => {
  assert.equal(
    render(bodySql({ kind: "array", raw: "[]" }, [name, { ...tags, default: null }])).text,
    'json_to_recordset(CAST($1::text AS json)) AS "pgrst_body"("name" text, "tags" text[])',
  );
});

Deno.test("bodySql() merges each object over its columns' defaults for missing=default", () => {
  assert.deepEqual(render(bodySql({ kind: "array", raw: "[{}]" }, [name, tags])), {
    text:
      `jsonb_to_recordset((SELECT jsonb_agg(jsonb_build_object($1::text, ('{}'::text[])) || "pgrst_elem"."value" ORDER BY "pgrst_elem"."ordinality") FROM jsonb_array_elements(CAST($2::text AS jsonb)) WITH ORDINALITY AS "pgrst_elem")) AS "pgrst_body"("name" text, "tags" text[])`,
    params: ["tags", "[{}]"],
  });
  assert.equal(
    render(bodySql({ kind: "object", raw: "{}" }, [tags])).text,
    `jsonb_to_record(jsonb_build_object($1::text, ('{}'::text[])) || CAST($2::text AS jsonb)) AS "pgrst_body"("tags" text[])`,
  );
});

Deno.test("bodySql() splits defaults over several jsonb_build_object calls past 50 columns", () => {
  const columns = Array.from(
    { length: 120 },
    (_, i) => ({ name: `c${i}`, type: "text", default: "'x'::text" }),
  );
  const { text } = render(bodySql({ kind: "object", raw: "{}" }, columns));
  assert.equal(text.match(/jsonb_build_object\(/g)?.length, 3);
});

Deno.test("bodySql() makes rows of defaults for bodies without keys", () => {
  assert.equal(render(bodySql({ kind: "object", raw: "{}" }, [])).text, '(VALUES (1)) AS "pgrst_body"');
  assert.equal(
    render(bodySql({ kind: "array", raw: "[{},{}]" }, [])).text,
    'json_array_elements(CAST($1::text AS json)) AS "pgrst_body"',
  );
});
