import assert from "node:assert/strict";
import { closest, columnNotFound, tableNotFound } from "./_schema_errors.ts";
import { catalog } from "../testdata/fixtures.ts";

Deno.test("tableNotFound() is PostgREST's PGRST205 with a close table as hint", () => {
  const err = tableNotFound(catalog, "contact");
  assert.deepEqual([err.status, err.code, err.message, err.hint], [
    404,
    "PGRST205",
    "Could not find the table 'public.contact' in the schema cache",
    "Perhaps you meant the table 'public.contacts'",
  ]);
  assert.equal(tableNotFound(catalog, "zzz").hint, null);
});

Deno.test("columnNotFound() is PostgREST's PGRST204", () => {
  const err = columnNotFound("contacts", "x");
  assert.deepEqual([err.status, err.code, err.message], [
    400,
    "PGRST204",
    "Could not find the 'x' column of 'contacts' in the schema cache",
  ]);
});

Deno.test("closest() suggests only a different name above the threshold", () => {
  assert.equal(closest("venue", ["venues", "events"], 0.5), "venues");
  assert.equal(closest("venues", ["venues"], 0.5), null);
  assert.equal(closest("x", ["venues"], 0.5), null);
});
