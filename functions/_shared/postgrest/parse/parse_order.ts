/**
 * The `order` grammar (PostgREST's `pOrder`).
 *
 * @module
 */

import { Cursor } from "./_cursor.ts";
import { parseField, parseName } from "./_grammar.ts";
import type { OrderTerm } from "./request.ts";
import { MAX_ORDER_TERMS } from "./limits.ts";

const WORD_END = new Set([".", ",", " ", "\t"]);

/**
 * Parses an `order` value: comma-separated `column[->path][.asc|.desc][.nullsfirst|.nullslast]`, or
 * `relation(column)…` to order by a column of a to-one embedded resource. The embed prefix of
 * `contacts.order=` is in the key, parsed by {@linkcode parseQuery}.
 *
 * @throws {QuerySyntaxError} with the position of the problem.
 *
 * @example
 * ```ts
 * parseOrder("last_name.asc,created_at.desc.nullsfirst");
 * // [{ kind: "field", relation: null, field: { name: "last_name", jsonPath: [] }, direction: "asc", nulls: null },
 * //  { kind: "field", relation: null, field: { name: "created_at", … }, direction: "desc", nulls: "first" }]
 * ```
 */
export function parseOrder(text: string): OrderTerm[] {
  const c = new Cursor(text, { subject: "order" });
  const terms = [parseTerm(c)];
  while (c.eat(",")) {
    if (terms.length === MAX_ORDER_TERMS) c.fail(`more than ${MAX_ORDER_TERMS} terms`);
    terms.push(parseTerm(c));
  }
  if (!c.done) c.unexpected();
  return terms;
}

function parseTerm(c: Cursor): OrderTerm {
  c.skipSpace();
  const start = c.pos;
  let relation: string | null = parseName(c);
  let field;
  if (c.eat("(")) {
    field = parseField(c);
    c.expect(")");
  } else {
    relation = null;
    c.pos = start;
    field = parseField(c);
  }
  let direction: OrderTerm["direction"] = null;
  let nulls: OrderTerm["nulls"] = null;
  if (c.eat(".")) {
    const at = c.pos;
    const word = c.takeWhile((ch) => !WORD_END.has(ch));
    if (word === "asc" || word === "desc") direction = word;
    else if (word === "nullsfirst" || word === "nullslast") nulls = word === "nullsfirst" ? "first" : "last";
    else c.fail("expected asc, desc, nullsfirst or nullslast", { at });
    if (direction !== null && c.eat(".")) {
      const nullsAt = c.pos;
      const second = c.takeWhile((ch) => !WORD_END.has(ch));
      if (second === "nullsfirst" || second === "nullslast") {
        nulls = second === "nullsfirst" ? "first" : "last";
      } else c.fail("expected nullsfirst or nullslast", { at: nullsAt });
    }
  }
  c.skipSpace();
  if (!c.done && c.peek() !== ",") c.unexpected();
  return { kind: relation === null ? "field" : "relation", relation, field, direction, nulls };
}
