import assert from "node:assert/strict";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { parseAccept, parseMediaRange } from "./parse_accept.ts";
import type { AcceptMedia } from "./request.ts";

const json: AcceptMedia = { media: "json", stripNulls: false };
const object: AcceptMedia = { media: "object", stripNulls: false };
const csv: AcceptMedia = { media: "csv", stripNulls: false };

const accepted: [header: string | null, expected: AcceptMedia][] = [
  [null, json],
  ["", json],
  ["*/*", json],
  ["application/json", json],
  ["application/json; charset=utf-8", json],
  ["Application/JSON", json],
  ["application/vnd.pgrst.object+json", object],
  ["application/vnd.pgrst.object+json;nulls=stripped", { media: "object", stripNulls: true }],
  ["application/vnd.pgrst.object", object],
  ["application/vnd.pgrst.array+json;nulls=stripped", { media: "json", stripNulls: true }],
  ["application/vnd.pgrst.array+json", json],
  ["text/csv", csv],
  ["text/html, */*;q=0.8", json],
  ["text/csv;q=0.5, application/json", json],
  ["application/json;q=0.5, text/csv;q=0.9", csv],
  ["text/csv, application/json", csv],
  ["text/csv;q=0, application/json;q=0.1", json],
  ['application/x;a="1,2", text/csv', csv],
];

for (const [header, expected] of accepted) {
  Deno.test(`parseAccept() answers ${JSON.stringify(header)} with ${expected.media}`, () => {
    assert.deepEqual(parseAccept(header), expected);
  });
}

const rejected: [name: string, header: string][] = [
  ["html", "text/html"],
  ["xml and octet-stream", "text/xml, application/octet-stream"],
  ["a wildcard subtype", "application/*"],
  ["json refused with q=0", "application/json;q=0"],
];

for (const [name, header] of rejected) {
  Deno.test(`parseAccept() refuses ${name} with 406 PGRST107`, () => {
    assert.throws(() => parseAccept(header), (err: unknown) => {
      assert.ok(err instanceof PostgrestError);
      assert.equal(err.code, "PGRST107");
      assert.equal(err.status, 406);
      assert.ok(err.message.startsWith("None of these media types are available: "), err.message);
      return true;
    });
  });
}

Deno.test("parseAccept() names the refused media types as PostgREST does, without details or hint", () => {
  assert.throws(() => parseAccept("text/html; charset=utf-8, text/xml"), (err: unknown) => {
    assert.ok(err instanceof PostgrestError);
    assert.deepEqual(JSON.parse(JSON.stringify(err.toJSON())), {
      code: "PGRST107",
      message: "None of these media types are available: text/html, text/xml",
      details: null,
      hint: null,
    });
    return true;
  });
});

Deno.test("parseAccept() reads an EXPLAIN request with what it falls back to when plans are off", () => {
  // What supabase-js' explain() sends: `.explain()` and `.csv().explain({ analyze: true, format: "json" })`.
  assert.deepEqual(parseAccept('application/vnd.pgrst.plan+text; for="application/json"; options=;'), {
    media: "json",
    stripNulls: false,
    plan: {
      format: "text",
      options: [],
      contentType: 'application/vnd.pgrst.plan+text; for="application/json"; charset=utf-8',
      otherwise: {
        refused:
          'None of these media types are available: application/vnd.pgrst.plan+text; for="application/json"',
      },
    },
  });
  assert.deepEqual(
    parseAccept('application/vnd.pgrst.plan+json; for="text/csv"; options=verbose|analyze|x;'),
    {
      media: "csv",
      stripNulls: false,
      plan: {
        format: "json",
        options: ["analyze", "verbose"],
        contentType: 'application/vnd.pgrst.plan+json; for="text/csv"; charset=utf-8',
        otherwise: {
          refused:
            'None of these media types are available: application/vnd.pgrst.plan+json; for="text/csv"; options=verbose|analyze|x',
        },
      },
    },
  );
  // Another acceptable range after the plan is what a data source without plans answers with.
  assert.deepEqual(parseAccept("application/vnd.pgrst.plan, text/csv;q=0.5").plan?.otherwise, {
    media: "csv",
    stripNulls: false,
  });
});

Deno.test("parseMediaRange() lower-cases the type and parameter names and unquotes values", () => {
  assert.deepEqual(parseMediaRange(' Application/Vnd.PgRST.Plan+JSON; For="text/csv" ; Q=0.5'), {
    type: "application/vnd.pgrst.plan+json",
    params: { for: "text/csv", q: "0.5" },
    raw: 'Application/Vnd.PgRST.Plan+JSON; For="text/csv" ; Q=0.5',
  });
});
