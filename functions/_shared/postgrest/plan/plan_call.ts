/**
 * The plan of a function call (`/rpc/<name>`): which overload, how its arguments are passed, what its
 * result is, whether it may write, and the read over the rows it returns (PostgREST's `callPlan`).
 *
 * @module
 */

import {
  type Catalog,
  type CatalogColumn,
  type CatalogFunction,
  type CatalogTable,
  findTable,
} from "../../catalog/mod.ts";
import { PostgrestError } from "../../errors/mod.ts";
import type { ApiRequest } from "../parse/mod.ts";
import type { CallPlan, PlannedArguments } from "./plan.ts";
import { findFunction } from "./plan_function.ts";
import { planRange } from "./_plan_range.ts";
import { planReadTree } from "./_plan_read.ts";

/** Options of {@linkcode planCall}. */
export interface PlanCallOptions {
  /** The most rows a call returns (`db-max-rows`). */
  maxRows?: number;
  /** Whether `sum()` and friends are allowed on the returned rows. */
  aggregates?: boolean;
  /** Scope columns of composite foreign keys, for embeds from the returned rows. */
  scopeColumns?: readonly string[];
}

/**
 * Plans a call of the function `request.resource.name`:
 *
 * - the overload is chosen by argument names ({@linkcode findFunction}): POST body keys, or the query
 *   string's arguments on GET/HEAD (a repeated argument becomes an array, for array and variadic
 *   parameters); a function of one unnamed `json`/`jsonb` parameter, or `Prefer: params=single-object`,
 *   takes the whole body;
 * - GET and HEAD always run read-only, POST read-write only for `volatile` functions;
 * - functions returning rows (a table's row type, a composite, `returns table (…)`) take `select`,
 *   filters, `order`, `limit`/`offset`/`Range`, `count` and, when the row type is a table's, embeds;
 * - a `security definer` function runs as its owner, past RLS: it is served only when the schema grants
 *   EXECUTE to `authenticated` by name, else the call is refused as PostgreSQL refuses a function without
 *   EXECUTE (403 `42501`).
 *
 * @throws {PostgrestError} `PGRST202`/`PGRST203` (see {@linkcode findFunction}), `42501` (403), and the
 * read plan's errors on the returned rows.
 *
 * @example
 * ```ts
 * const plan = planCall(await parseRequest(request, { path: "/rest/v1/rpc/search_contacts" }), catalog);
 * plan.result; // "rows"
 * ```
 */
export function planCall(request: ApiRequest, catalog: Catalog, options: PlanCallOptions = {}): CallPlan {
  const post = request.method === "POST";
  const args = post ? null : argumentsObject(request.query.rpcArgs);
  const { fn, wholeBody } = findFunction(catalog, {
    name: request.resource.name,
    keys: post ? request.body?.keys ?? [] : Object.keys(args ?? {}),
    jsonBody: post,
    singleObject: post && request.preferences.params === "single-object",
  });
  if (post && request.body?.kind === "array" && !wholeBody) {
    throw new PostgrestError("PGRST102", "Cannot parse body: function arguments must be one JSON object", {
      hint:
        `Only a function of one unnamed json or jsonb parameter takes an array: ${fn.name} has named parameters`,
    });
  }
  if (fn.securityDefiner && !fn.grantedToAuthenticated) {
    throw new PostgrestError("42501", `permission denied for function ${fn.name}`, {
      hint: "A security definer function is served only when EXECUTE is granted to authenticated",
      status: 403,
    });
  }
  const raw = post ? request.body?.raw ?? "{}" : JSON.stringify(args);
  const keys = post ? new Set(request.body?.keys ?? []) : new Set(Object.keys(args ?? {}));
  const plannedArguments: PlannedArguments = wholeBody
    ? { kind: "body", type: fn.parameters[0]?.type === "json" ? "json" : "jsonb", raw }
    : {
      kind: "named",
      parameters: fn.parameters
        .filter((parameter) => keys.has(parameter.name))
        .map(({ name, type, variadic }) => ({ name, type, variadic })),
      raw,
    };
  const rowType = rowTable(catalog, fn);
  const result = resultOf(fn);
  let root = null;
  if (rowType !== null) {
    const tree = planReadTree(catalog, {
      table: rowType,
      query: request.query,
      ...(options.aggregates === undefined ? {} : { aggregates: options.aggregates }),
      ...(options.scopeColumns === undefined ? {} : { scopeColumns: options.scopeColumns }),
    });
    const queryRange = request.query.ranges.find((range) => range.path.length === 0) ?? null;
    const range = planRange(queryRange, {
      header: request.range,
      ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
    });
    root = { ...tree, range };
  }
  return {
    kind: "call",
    schema: catalog.schema,
    function: fn.name,
    arguments: plannedArguments,
    result,
    readOnly: !post || fn.volatility !== "volatile",
    head: request.method === "HEAD",
    media: result === "rows" || result === "row" ? request.accept.media : "json",
    stripNulls: request.accept.stripNulls,
    count: request.preferences.count,
    root,
    maxAffected: callMaxAffected(request, result),
  };
}

/**
 * PostgREST's `max-affected` on a call: with `handling=strict` it bounds the rows a set-returning function
 * returns (`PGRST124` beyond), and a function returning one value cannot be bounded (`PGRST128`).
 */
function callMaxAffected(request: ApiRequest, result: CallPlan["result"]): number | null {
  const { handling, maxAffected } = request.preferences;
  if (handling !== "strict" || maxAffected === null) return null;
  if (result !== "rows" && result !== "scalars") throw new PostgrestError("PGRST128");
  return maxAffected;
}

/** The query string's arguments as one JSON object; a repeated name gives an array of its values. */
function argumentsObject(pairs: readonly (readonly [string, string])[]): Record<string, string | string[]> {
  const args: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const previous = args[name];
    args[name] = previous === undefined
      ? value
      : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return args;
}

function resultOf(fn: CatalogFunction): CallPlan["result"] {
  switch (fn.returns.kind) {
    case "void":
      return "void";
    case "scalar":
      return fn.returns.setOf ? "scalars" : "scalar";
    case "composite":
    case "record":
      return fn.returns.setOf ? "rows" : "row";
  }
}

/**
 * The table the returned rows are read as: the catalog's table or view for its row type (so embeds
 * work), or one made of the function's result columns.
 */
function rowTable(catalog: Catalog, fn: CatalogFunction): CatalogTable | null {
  const { returns } = fn;
  if (returns.kind !== "composite" && returns.kind !== "record") return null;
  const table = returns.table === null ? undefined : findTable(catalog, returns.table);
  if (table !== undefined) return table;
  return {
    name: fn.name,
    kind: "view",
    columns: returns.columns.map((column): CatalogColumn => ({
      name: column.name,
      type: column.type,
      valueType: column.type,
      nullable: true,
      hasDefault: false,
      default: null,
      generated: false,
      identity: null,
      primaryKey: false,
    })),
    primaryKey: [],
    uniqueKeys: [],
    foreignKeys: [],
  };
}
