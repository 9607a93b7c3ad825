import assert from "node:assert/strict";
import { Cursor } from "./_cursor.ts";

Deno.test("Cursor reads within its bounds", () => {
  const c = new Cursor("key=value", { subject: "filter", start: 0, end: 3 });
  assert.equal(c.takeWhile(() => true), "key");
  assert.ok(c.done);
  assert.equal(c.peek(), "");
  assert.ok(!c.startsWith("="));
});

Deno.test("Cursor.eat() and expect() consume or fail with a 1-based position", () => {
  const c = new Cursor("ab", { subject: "select" });
  assert.ok(c.eat("a"));
  assert.ok(!c.eat("x"));
  assert.throws(() => c.expect(")"), {
    name: "QuerySyntaxError",
    message: 'Cannot parse select: expected ")" at position 2',
  });
});

Deno.test("Cursor.unexpected() names the whole character, or the end of input", () => {
  assert.throws(() => new Cursor("😀", { subject: "select" }).unexpected(), {
    message: 'Cannot parse select: unexpected "😀" at position 1',
  });
  const end = new Cursor("a", { subject: "order", start: 1 });
  assert.throws(() => end.unexpected(), {
    message: "Cannot parse order: unexpected end of input at position 2",
  });
});

Deno.test("Cursor.skipSpace() skips spaces and tabs only", () => {
  const c = new Cursor(" \t\nx", { subject: "select" });
  c.skipSpace();
  assert.equal(c.peek(), "\n");
});
