import assert from "node:assert/strict";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { MAX_LIMIT, MAX_OFFSET } from "./limits.ts";
import { parseRange } from "./parse_range.ts";
import type { RowRange } from "./request.ts";

const accepted: [header: string | null, unit: string | null, expected: RowRange | null][] = [
  [null, null, null],
  ["items=0-9", null, { offset: 0, limit: 10 }],
  ["0-9", null, { offset: 0, limit: 10 }],
  ["ITEMS=20-39", "items", { offset: 20, limit: 20 }],
  [" 5-5 ", "Items", { offset: 5, limit: 1 }],
  ["10-", null, { offset: 10, limit: null }],
  [`0-${MAX_LIMIT - 1}`, null, { offset: 0, limit: MAX_LIMIT }],
  [`${MAX_OFFSET}-`, null, { offset: MAX_OFFSET, limit: null }],
];

for (const [header, unit, expected] of accepted) {
  Deno.test(`parseRange() parses ${JSON.stringify(header)} (unit ${JSON.stringify(unit)})`, () => {
    assert.deepEqual(parseRange(header, { unit }), expected);
  });
}

const rejected: [name: string, header: string | null, unit: string | null, details: string][] = [
  [
    "a lower end above the upper end",
    "items=5-1",
    null,
    "The lower boundary must be lower than or equal to the upper boundary in the Range header.",
  ],
  ["a malformed range", "items=a-b", null, 'The Range header must look like "items=0-9", got "items=a-b"'],
  [
    "a multi-range",
    "items=0-1,5-6",
    null,
    'The Range header must look like "items=0-9", got "items=0-1,5-6"',
  ],
  ["a suffix range", "items=-5", null, 'The Range header must look like "items=0-9", got "items=-5"'],
  ["a byte range", "bytes=0-9", null, 'The Range header must look like "items=0-9", got "bytes=0-9"'],
  ["another unit", "0-9", "bytes", 'Range-Unit must be "items", got "bytes"'],
  ["a range too long", `0-${MAX_LIMIT}`, null, `The Range header may span ${MAX_LIMIT} rows at most`],
  ["a start too far", `${MAX_OFFSET + 1}-`, null, `The Range header may start at row ${MAX_OFFSET} at most`],
  [
    "a huge number",
    `${"9".repeat(30)}-`,
    null,
    `The Range header must look like "items=0-9", got "${"9".repeat(30)}-"`,
  ],
];

for (const [name, header, unit, details] of rejected) {
  Deno.test(`parseRange() rejects ${name} with 416 PGRST103`, () => {
    assert.throws(() => parseRange(header, { unit }), (err: unknown) => {
      assert.ok(err instanceof PostgrestError);
      assert.deepEqual([err.code, err.status, err.message, err.details], [
        "PGRST103",
        416,
        "Requested range not satisfiable",
        details,
      ]);
      return true;
    });
  });
}
