import assert from "node:assert/strict";
import { MoveError } from "./errors.ts";

Deno.test("MoveError carries its reason and hint", () => {
  const error = new MoveError("schema_mismatch", "Schema versions differ", { hint: "Provision it" });
  assert.equal(error.name, "MoveError");
  assert.equal(error.reason, "schema_mismatch");
  assert.equal(error.hint, "Provision it");
  assert.equal(new MoveError("busy", "Busy").hint, null);
  assert.ok(error instanceof Error);
});
