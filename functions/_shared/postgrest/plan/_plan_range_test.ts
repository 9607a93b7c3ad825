import assert from "node:assert/strict";
import { planRange } from "./_plan_range.ts";

const cases: [string, Parameters<typeof planRange>, { offset: number; limit: number | null }][] = [
  ["nothing as everything", [null], { offset: 0, limit: null }],
  ["limit and offset as they are", [{ offset: 20, limit: 20 }], { offset: 20, limit: 20 }],
  ["a Range header alone", [null, { header: { offset: 10, limit: 10 } }], { offset: 10, limit: 10 }],
  ["both as their intersection", [{ offset: 20, limit: 20 }, { header: { offset: 0, limit: 25 } }], {
    offset: 20,
    limit: 5,
  }],
  ["an open Range from its start", [{ offset: 0, limit: 10 }, { header: { offset: 5, limit: null } }], {
    offset: 5,
    limit: 5,
  }],
  ["disjoint intervals as no rows", [{ offset: 0, limit: 5 }, { header: { offset: 10, limit: 5 } }], {
    offset: 10,
    limit: 0,
  }],
  ["no limit under the cap", [null, { maxRows: 1000 }], { offset: 0, limit: 1000 }],
  ["a larger limit at the cap", [{ offset: 3, limit: 5000 }, { maxRows: 1000 }], { offset: 3, limit: 1000 }],
  ["a smaller limit as it is", [{ offset: 0, limit: 7 }, { maxRows: 1000 }], { offset: 0, limit: 7 }],
  ["limit=0 as no rows", [{ offset: 0, limit: 0 }], { offset: 0, limit: 0 }],
];

for (const [name, args, expected] of cases) {
  Deno.test(`planRange() takes ${name}`, () => {
    assert.deepEqual(planRange(...args), expected);
  });
}
