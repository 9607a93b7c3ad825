/**
 * Filter parameters: `column=operator.value` (PostgREST's `pRequestFilter`).
 *
 * @module
 */

import { Cursor } from "./_cursor.ts";
import { parseJsonPath, parseName } from "./_grammar.ts";
import { parseOpExpr } from "./_operation.ts";
import type { Filter } from "./request.ts";

/**
 * Parses one filter parameter. The key is a column with an optional JSON path, after the names of the
 * embedded resources it applies to (`contacts.address->>city`); the value is `[not.]operator.value`:
 *
 * | operator | value |
 * | --- | --- |
 * | `eq gt gte lt lte like ilike match imatch` | a value; `op(any).{a,b}` / `op(all).{a,b}` compare with an array |
 * | `neq cs cd ov sl sr nxr nxl adj` | a value (`cs.{a,b}` arrays and ranges, `cs.{"k":1}` JSON) |
 * | `in` | `(a,"b,c",d)`: a quoted element may contain `,` and `)`, with `\"` and `\\` escapes |
 * | `is` | `null`, `not_null`, `true`, `false`, `unknown` (any case) |
 * | `isdistinct` | a value |
 * | `fts plfts phfts wfts` | a query, after an optional `(config)`: `wfts(english).fat cat` |
 *
 * Values stay strings (the planner types them against the column); in `like`/`ilike` patterns `*` becomes
 * `%`. Unlike PostgREST, nothing may follow an `in` list or an `is` value.
 *
 * @throws {QuerySyntaxError} with the position of the problem in `key=value`.
 *
 * @example
 * ```ts
 * parseFilter("contacts.email", "not.ilike.*@acme.test");
 * // { path: ["contacts"], field: { name: "email", jsonPath: [] }, negated: true,
 * //   operation: { kind: "compare", operator: "ilike", quantifier: null, value: "%@acme.test" } }
 * ```
 */
export function parseFilter(key: string, value: string): Filter {
  const text = `${key}=${value}`;
  const k = new Cursor(text, { subject: "filter", start: 0, end: key.length });
  const names = [parseName(k)];
  while (k.eat(".")) names.push(parseName(k));
  const jsonPath = parseJsonPath(k);
  if (!k.done) k.unexpected();
  const c = new Cursor(text, { subject: "filter", start: key.length + 1 });
  const { negated, operation } = parseOpExpr(c, "filter");
  if (!c.done) c.unexpected();
  const name = names.pop() ?? "";
  return { path: names, field: { name, jsonPath }, negated, operation };
}
