/**
 * The whole query string (PostgREST's `QueryParams.parse`).
 *
 * @module
 */

import { Cursor } from "./_cursor.ts";
import { parseKeyPath, parseNameList } from "./_grammar.ts";
import { quote } from "./_quote.ts";
import { PostgrestError } from "../../errors/mod.ts";
import { MAX_CONDITIONS, MAX_JSON_DEPTH, MAX_LIMIT, MAX_OFFSET, MAX_SELECT_ITEMS } from "./limits.ts";
import { nestsTooDeep } from "./_json_depth.ts";
import { parseFilter } from "./parse_filter.ts";
import { parseLogic } from "./parse_logic.ts";
import { parseOrder } from "./parse_order.ts";
import { parseSelect } from "./parse_select.ts";
import type {
  ApiQuery,
  Filter,
  LogicFilter,
  LogicTree,
  OrderClause,
  QueryRange,
  SelectItem,
} from "./request.ts";
import { QuerySyntaxError } from "./syntax_error.ts";

/** Options of {@linkcode parseQuery}. */
export interface ParseQueryOptions {
  /**
   * The request reads an RPC (GET or HEAD to `/rpc/<fn>`): a parameter whose value is not an operator
   * expression is a function argument (`?q=ada`), not a malformed filter.
   */
  rpcRead?: boolean;
}

const EMBEDDABLE = new Set(["order", "limit", "offset", "and", "or"]);

/**
 * Parses the query string. `select`, `columns` and `on_conflict` are reserved at the root (the first
 * occurrence counts); `order`, `limit`, `offset`, `and`, `or` are reserved at every level, so
 * `contacts.order=email` orders the embedded `contacts`. Every other parameter is a filter, and a column
 * may be filtered more than once (`amount=gt.10&amount=lt.1000`). `limit`/`offset` must be non-negative
 * integers up to {@linkcode MAX_LIMIT}/{@linkcode MAX_OFFSET} (a repeated one: the last counts).
 *
 * Unlike PostgREST, a filter with an empty value (`?id=` or `?id`) is an error, not ignored: a dropped
 * filter would widen a `DELETE` or `PATCH` to every row. Percent-decoding and `+` as a space are
 * `URLSearchParams`'s (malformed `%` sequences stay as they are).
 *
 * @throws {PostgrestError} `PGRST100` (400) for a parameter that does not parse, naming it and the
 * position; `PGRST103` (416) for a negative `limit`, as PostgREST.
 *
 * @example
 * ```ts
 * parseQuery(new URLSearchParams("select=id,contacts(email)&contacts.email=eq.a@b.c&limit=20"));
 * // { select: […], filters: [{ path: ["contacts"], … }], ranges: [{ path: [], limit: 20, offset: 0 }], … }
 * ```
 */
export function parseQuery(params: URLSearchParams, options: ParseQueryOptions = {}): ApiQuery {
  let select: SelectItem[] | null = null;
  let columns: string[] | null = null;
  let onConflict: string[] | null = null;
  const filters: Filter[] = [];
  const logic: LogicFilter[] = [];
  const order: OrderClause[] = [];
  const ranges = new Map<string, { path: string[]; limit: number | null; offset: number }>();
  const rpcArgs: (readonly [string, string])[] = [];

  for (const [key, value] of params) {
    if (nestsTooDeep(value)) {
      throw new PostgrestError(
        "PGRST100",
        `Cannot parse query: the value nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels`,
        { details: `Query parameter: ${quote(key)}` },
      );
    }
    try {
      if (key === "select") {
        select ??= parseSelect(value);
      } else if (key === "columns") {
        columns ??= parseNameList(new Cursor(value, { subject: "columns" }));
      } else if (key === "on_conflict") {
        onConflict ??= parseNameList(new Cursor(value, { subject: "on_conflict" }));
      } else {
        const last = key.slice(key.lastIndexOf(".") + 1);
        if (!EMBEDDABLE.has(last)) {
          const filter = parseFilterOrArgument(key, value, options.rpcRead === true);
          if (filter === null) rpcArgs.push([key, value]);
          else filters.push(filter);
        } else if (last === "and" || last === "or") {
          logic.push(parseLogic(key, value));
        } else {
          const path = parseKeyPath(new Cursor(key, { subject: last })).slice(0, -1);
          if (last === "order") {
            order.push({ path, terms: parseOrder(value) });
          } else {
            const id = JSON.stringify(path);
            const range = ranges.get(id) ?? { path, limit: null, offset: 0 };
            if (last === "limit") range.limit = parseCount(value, "limit", MAX_LIMIT);
            else range.offset = parseCount(value, "offset", MAX_OFFSET);
            ranges.set(id, range);
          }
        }
      }
    } catch (err) {
      if (err instanceof QuerySyntaxError) {
        throw new PostgrestError("PGRST100", err.message, {
          details: `Query parameter: ${quote(key)}`,
          ...(err.hint === null ? {} : { hint: err.hint }),
        });
      }
      throw err;
    }
  }
  const conditions = filters.length + logic.reduce((sum, { tree }) => sum + leaves(tree), 0);
  if (conditions > MAX_CONDITIONS) {
    throw new PostgrestError("PGRST100", `Cannot parse query: more than ${MAX_CONDITIONS} filter conditions`);
  }
  if ((columns?.length ?? 0) > MAX_SELECT_ITEMS) {
    throw new PostgrestError("PGRST100", `Cannot parse columns: more than ${MAX_SELECT_ITEMS} names`);
  }
  return {
    select: select ?? [{ kind: "star" }],
    filters,
    logic,
    order,
    ranges: [...ranges.values()] satisfies QueryRange[],
    onConflict,
    columns,
    rpcArgs,
  };
}

/** A filter, or `null` when an RPC read's parameter is a plain function argument. */
function parseFilterOrArgument(key: string, value: string, rpcRead: boolean): Filter | null {
  try {
    return parseFilter(key, value);
  } catch (err) {
    if (rpcRead && err instanceof QuerySyntaxError && !key.includes(".") && err.position > key.length + 1) {
      return null;
    }
    throw err;
  }
}

function parseCount(value: string, what: "limit" | "offset", max: number): number {
  if (!/^\d+$/.test(value)) {
    if (what === "limit" && /^-\d+$/.test(value)) {
      throw new PostgrestError("PGRST103", undefined, {
        details: "Limit should be greater than or equal to zero.",
      });
    }
    throw new PostgrestError(
      "PGRST100",
      `Cannot parse ${what}: expected a non-negative integer, got ${quote(value)}`,
    );
  }
  const count = value.length > 15 ? Infinity : Number(value);
  if (count > max) {
    throw new PostgrestError(
      "PGRST100",
      `Cannot parse ${what}: ${quote(value)} is more than the maximum of ${max}`,
      {
        hint: what === "offset"
          ? "Page through large tables with a filter on an ordered key instead of a large offset"
          : `Request at most ${max} rows at a time`,
      },
    );
  }
  return count;
}

function leaves(tree: LogicTree): number {
  return tree.kind === "filter" ? 1 : tree.children.reduce((sum, child) => sum + leaves(child), 0);
}
