/**
 * Logic parameters: `or=(…)`, `and=(…)`, `not.or=(…)`, `contacts.or=(…)` (PostgREST's `pLogicTree`).
 *
 * @module
 */

import { Cursor } from "./_cursor.ts";
import { parseField, parseKeyPath } from "./_grammar.ts";
import { parseOpExpr } from "./_operation.ts";
import { MAX_LOGIC_DEPTH } from "./limits.ts";
import type { LogicFilter, LogicTree } from "./request.ts";

/** Options of {@linkcode parseLogic}. */
export interface ParseLogicOptions {
  /** How deep `and(…)`/`or(…)` may nest, the parameter itself being level 1; defaults to {@linkcode MAX_LOGIC_DEPTH}. */
  maxDepth?: number;
}

type LogicNode = LogicTree & { readonly kind: "logic" };

const NESTED = /(not\.)?(and|or)\(/y;

/**
 * Parses one logic parameter. The key is `[embed.…][not.](and|or)`; the value a parenthesised,
 * comma-separated list of filters `column[->path].[not.]operator.value` and nested `[not.]and(…)` /
 * `[not.]or(…)`. Inside a tree a value ends at `,` or `)` unless it is double-quoted (`name.eq."a,b"`) or a
 * `{…}` array (`tags.cs.{a,b}`).
 *
 * @throws {QuerySyntaxError} with the position of the problem in `key=value`, also when the tree nests
 * deeper than `maxDepth`.
 *
 * @example
 * ```ts
 * parseLogic("or", "(amount.gt.100,and(stage.eq.won,amount.lt.50))");
 * // { path: [], tree: { kind: "logic", operator: "or", negated: false, children: [filter, and-node] } }
 * ```
 */
export function parseLogic(key: string, value: string, options: ParseLogicOptions = {}): LogicFilter {
  const text = `${key}=${value}`;
  const k: Cursor = new Cursor(text, { subject: "logic tree", start: 0, end: key.length });
  const names = parseKeyPath(k);
  const operator = names.at(-1);
  if (operator !== "and" && operator !== "or") {
    k.fail('expected "and" or "or" at the end of the key', { at: 0 });
  }
  const negated = names.at(-2) === "not";
  const c = new Cursor(text, { subject: "logic tree", start: key.length + 1 });
  const tree = parseGroup(c, { operator, negated, depth: 1, maxDepth: options.maxDepth ?? MAX_LOGIC_DEPTH });
  if (!c.done) c.unexpected();
  return { path: names.slice(0, negated ? -2 : -1), tree };
}

interface Group {
  operator: "and" | "or";
  negated: boolean;
  depth: number;
  maxDepth: number;
}

function parseGroup(c: Cursor, group: Group): LogicNode {
  if (group.depth > group.maxDepth) c.fail(`and/or nest deeper than ${group.maxDepth} levels`);
  c.skipSpace();
  c.expect("(");
  const children = [parseChild(c, group)];
  for (;;) {
    c.skipSpace();
    if (!c.eat(",")) break;
    children.push(parseChild(c, group));
  }
  c.skipSpace();
  c.expect(")");
  c.skipSpace();
  return { kind: "logic", operator: group.operator, negated: group.negated, children };
}

function parseChild(c: Cursor, parent: Group): LogicTree {
  c.skipSpace();
  NESTED.lastIndex = c.pos;
  const nested = NESTED.exec(c.text);
  if (nested !== null && nested.index + nested[0].length <= c.end) {
    c.pos += nested[0].length - 1;
    const operator = nested[2] === "and" ? "and" : "or";
    return parseGroup(c, { ...parent, operator, negated: nested[1] !== undefined, depth: parent.depth + 1 });
  }
  const field = parseField(c);
  if (!c.eat(".")) c.fail('expected "." after the column');
  const { negated, operation } = parseOpExpr(c, "logic");
  c.skipSpace();
  if (!c.done && c.peek() !== "," && c.peek() !== ")") c.unexpected();
  return { kind: "filter", field, negated, operation };
}
