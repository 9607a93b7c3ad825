import assert from "node:assert/strict";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { DEFAULT_SCHEMAS, parseHeaders } from "./parse_headers.ts";

Deno.test("parseHeaders() defaults to the public schema, JSON, no range and no preferences", () => {
  const parsed = parseHeaders(new Headers(), { method: "GET" });
  assert.deepEqual(DEFAULT_SCHEMAS, ["public"]);
  assert.equal(parsed.schema, "public");
  assert.deepEqual(parsed.accept, { media: "json", stripNulls: false });
  assert.equal(parsed.range, null);
  assert.equal(parsed.preferences.count, null);
});

Deno.test("parseHeaders() reads Accept, Range and Prefer", () => {
  const parsed = parseHeaders(
    new Headers({
      accept: "application/vnd.pgrst.object+json",
      range: "items=0-9",
      "range-unit": "items",
      prefer: "count=exact",
    }),
    { method: "GET" },
  );
  assert.deepEqual(parsed.accept, { media: "object", stripNulls: false });
  assert.deepEqual(parsed.range, { offset: 0, limit: 10 });
  assert.equal(parsed.preferences.count, "exact");
});

const profiles: [method: string, header: string, value: string, schema: string][] = [
  ["GET", "accept-profile", "public", "public"],
  ["HEAD", "accept-profile", "public", "public"],
  ["POST", "content-profile", "public", "public"],
  ["PATCH", "content-profile", "public", "public"],
  ["DELETE", "content-profile", "public", "public"],
  ["POST", "accept-profile", "api", "public"],
  ["GET", "content-profile", "api", "public"],
];

for (const [method, header, value, schema] of profiles) {
  Deno.test(`parseHeaders() takes the schema of a ${method} from ${header} only`, () => {
    assert.equal(parseHeaders(new Headers({ [header]: value }), { method }).schema, schema);
  });
}

for (
  const [method, header] of [["GET", "accept-profile"], ["POST", "content-profile"], [
    "DELETE",
    "content-profile",
  ]]
) {
  Deno.test(`parseHeaders() refuses a ${method} to a schema that is not exposed with 406 PGRST106`, () => {
    assert.throws(
      () => parseHeaders(new Headers({ [header as string]: "api" }), { method: method as string }),
      (err: unknown) => {
        assert.ok(err instanceof PostgrestError);
        assert.deepEqual([err.code, err.status, err.message, err.hint], [
          "PGRST106",
          406,
          'Invalid schema: "api"',
          "Only the following schemas are exposed: public",
        ]);
        return true;
      },
    );
  });
}

Deno.test("parseHeaders() takes the exposed schemas as an option, the first as the default", () => {
  const options = { method: "GET", schemas: ["api", "public"] };
  assert.equal(parseHeaders(new Headers(), options).schema, "api");
  assert.equal(parseHeaders(new Headers({ "accept-profile": "public" }), options).schema, "public");
});

Deno.test("parseHeaders() checks Accept before the profile, as PostgREST", () => {
  assert.throws(
    () => parseHeaders(new Headers({ accept: "text/html", "accept-profile": "api" }), { method: "GET" }),
    { code: "PGRST107" },
  );
});
