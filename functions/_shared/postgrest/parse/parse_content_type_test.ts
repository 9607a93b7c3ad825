import assert from "node:assert/strict";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { parseContentType } from "./parse_content_type.ts";

for (const header of [null, "", "application/json", "application/json; charset=utf-8", "APPLICATION/JSON"]) {
  Deno.test(`parseContentType() takes ${JSON.stringify(header)} as JSON`, () => {
    assert.equal(parseContentType(header), "json");
  });
}

for (
  const header of [
    "text/csv",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/jsonx",
    "multipart/form-data; boundary=x",
  ]
) {
  Deno.test(`parseContentType() refuses ${header} with 400 PGRST102, as PostgREST`, () => {
    assert.throws(() => parseContentType(header), (err: unknown) => {
      assert.ok(err instanceof PostgrestError);
      assert.deepEqual([err.code, err.status], ["PGRST102", 400]);
      assert.equal(err.message, `Content-Type not acceptable: ${JSON.stringify(header)}`);
      return true;
    });
  });
}
