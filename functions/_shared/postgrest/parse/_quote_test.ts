import assert from "node:assert/strict";
import { MAX_QUOTED_LENGTH, quote } from "./_quote.ts";

const cases: [input: string, expected: string][] = [
  ["abc", '"abc"'],
  ['a"b', '"a\\"b"'],
  ["a\\b", '"a\\\\b"'],
  ["\u0000\n\t", '"\\u0000\\n\\t"'],
  ["😀", '"😀"'],
  ["x".repeat(MAX_QUOTED_LENGTH), `"${"x".repeat(MAX_QUOTED_LENGTH)}"`],
  ["x".repeat(MAX_QUOTED_LENGTH + 1), `"${"x".repeat(MAX_QUOTED_LENGTH)}…"`],
];

for (const [input, expected] of cases) {
  Deno.test(`quote() renders ${JSON.stringify(input.slice(0, 12))} safely`, () => {
    assert.equal(quote(input), expected);
  });
}

Deno.test("quote() takes another length", () => {
  assert.equal(quote("abcdef", 3), '"abc…"');
});
