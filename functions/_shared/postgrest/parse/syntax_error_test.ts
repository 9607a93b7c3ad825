import assert from "node:assert/strict";
import { QuerySyntaxError } from "./syntax_error.ts";

Deno.test("QuerySyntaxError is a SyntaxError whose message names the subject, the problem and the position", () => {
  const err = new QuerySyntaxError('unexpected "("', { subject: "select", position: 12 });
  assert.ok(err instanceof SyntaxError);
  assert.equal(err.message, 'Cannot parse select: unexpected "(" at position 12');
  assert.deepEqual([err.subject, err.problem, err.position, err.hint], [
    "select",
    'unexpected "("',
    12,
    null,
  ]);
  assert.equal(String(err), 'QuerySyntaxError: Cannot parse select: unexpected "(" at position 12');
});

Deno.test("QuerySyntaxError keeps a hint", () => {
  assert.equal(new QuerySyntaxError("x", { subject: "filter", position: 1, hint: "Use eq" }).hint, "Use eq");
});
