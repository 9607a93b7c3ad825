/**
 * Which function an `/rpc/<name>` call means: PostgREST's `findProc`, with its errors `PGRST202` (no
 * match, with a "Perhaps you meant" hint) and `PGRST203` (several overloads match).
 *
 * @module
 */

import { closest } from "./_schema_errors.ts";
import type { Catalog, CatalogFunction } from "../../catalog/mod.ts";
import { PostgrestError } from "../../errors/mod.ts";

/** Options of {@linkcode findFunction}. */
export interface FindFunctionOptions {
  /** The function name. */
  name: string;
  /** The argument names the request gives (body keys, or query-string arguments). */
  keys: readonly string[];
  /** A POST with a JSON body: a function of one unnamed `json`/`jsonb` parameter may take the whole body. */
  jsonBody: boolean;
  /** `Prefer: params=single-object`: a function of exactly one `json`/`jsonb` parameter takes the body. */
  singleObject: boolean;
}

/** The function a call resolves to, and whether it takes the whole body as its one argument. */
export interface FoundFunction {
  readonly fn: CatalogFunction;
  /** The body is the one `json`/`jsonb` argument (unnamed parameter, or `params=single-object`). */
  readonly wholeBody: boolean;
}

/**
 * Finds the overload of `name` whose parameters match the given argument names, as PostgREST does: every
 * parameter without a default must be given, and every key must be a parameter. When no overload matches,
 * a function of one unnamed `json`/`jsonb` parameter takes a POST's whole body. With
 * `Prefer: params=single-object`, only a function of exactly one `json`/`jsonb` parameter matches.
 *
 * @throws {PostgrestError} `PGRST202` (404) when nothing matches, `PGRST203` (300) when several overloads do.
 *
 * @example
 * ```ts
 * findFunction(catalog, { name: "contact_count", keys: ["account_id"], jsonBody: true, singleObject: false });
 * // { fn: { name: "contact_count", parameters: [{ name: "account_id", … }], … }, wholeBody: false }
 * ```
 */
export function findFunction(catalog: Catalog, options: FindFunctionOptions): FoundFunction {
  const overloads = catalog.functions.filter((fn) => fn.name === options.name);
  const keys = new Set(options.keys);
  if (options.singleObject) {
    const single = overloads.filter((fn) => fn.parameters.length === 1 && isJson(fn.parameters[0]?.type));
    return pick(catalog, options, single, overloads, true);
  }
  const named = overloads.filter((fn) => matchesKeys(fn, keys));
  if (named.length > 0) return pick(catalog, options, named, overloads, false);
  const unnamed = overloads.filter((fn) =>
    options.jsonBody && fn.parameters.length === 1 && fn.parameters[0]?.name === "" &&
    isJson(fn.parameters[0]?.type)
  );
  return pick(catalog, options, unnamed, overloads, true);
}

function pick(
  catalog: Catalog,
  options: FindFunctionOptions,
  matches: readonly CatalogFunction[],
  overloads: readonly CatalogFunction[],
  wholeBody: boolean,
): FoundFunction {
  const [first] = matches;
  if (first === undefined) throw functionNotFound(catalog, options, overloads);
  if (matches.length > 1) throw ambiguousFunction(catalog.schema, matches);
  return { fn: first, wholeBody };
}

function matchesKeys(fn: CatalogFunction, keys: ReadonlySet<string>): boolean {
  if (fn.parameters.some((parameter) => parameter.name === "")) return false;
  const names = new Set(fn.parameters.map((parameter) => parameter.name));
  for (const key of keys) if (!names.has(key)) return false;
  return fn.parameters.every((parameter) => parameter.hasDefault || keys.has(parameter.name));
}

function isJson(type: string | undefined): type is "json" | "jsonb" {
  return type === "json" || type === "jsonb";
}

/** `PGRST202` with PostgREST's message, details and hint. */
function functionNotFound(
  catalog: Catalog,
  options: FindFunctionOptions,
  overloads: readonly CatalogFunction[],
): PostgrestError {
  const fn = `${catalog.schema}.${options.name}`;
  const keys = [...new Set(options.keys)].sort();
  const list = keys.length === 0 ? " without parameters" : `(${keys.join(", ")})`;
  const searched = keys.length === 0
    ? " without parameters"
    : ` with parameter${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`;
  return new PostgrestError("PGRST202", `Could not find the function ${fn}${list} in the schema cache`, {
    details: `Searched for the function ${fn}${searched}${
      options.jsonBody ? " or with a single unnamed json/jsonb parameter" : ""
    }, but no matches were found in the schema cache.`,
    hint: functionHint(catalog, options.name, keys, overloads),
  });
}

function functionHint(
  catalog: Catalog,
  name: string,
  keys: readonly string[],
  overloads: readonly CatalogFunction[],
): string | null {
  const prefix = `Perhaps you meant to call the function ${catalog.schema}.`;
  if (overloads.length === 0) {
    const close = closest(name, catalog.functions.map((fn) => fn.name), 0.75);
    return close === null ? null : `${prefix}${close}`;
  }
  // PostgREST compares the parameter lists as text, "(a, b)", and suggests the closest overload.
  const asText = (names: readonly string[]) => `(${[...names].sort().join(", ")})`;
  const candidates = overloads.map((fn) => asText(fn.parameters.map((parameter) => parameter.name)));
  const wanted = asText(keys);
  const close = candidates.includes(wanted) ? wanted : closest(wanted, candidates, 0.33) ??
    // Short names spell badly as text ("(q)"): an overload with a parameter containing a key is close too.
    overloads.map((fn) => fn.parameters.map((parameter) => parameter.name))
      .filter((names) => keys.some((key) => names.some((name) => name.includes(key) || key.includes(name))))
      .map(asText)[0] ??
    null;
  return close === null ? null : `${prefix}${name}${close}`;
}

/** `PGRST203` with PostgREST's message and hint. */
function ambiguousFunction(schema: string, matches: readonly CatalogFunction[]): PostgrestError {
  const signatures = matches.map((fn) =>
    `${schema}.${fn.name}(${
      fn.parameters.map((parameter) => `${parameter.name} => ${parameter.type}`).join(", ")
    })`
  );
  return new PostgrestError(
    "PGRST203",
    `Could not choose the best candidate function between: ${signatures.join(", ")}`,
    {
      hint:
        "Try renaming the parameters or the function itself in the database so function overloading can be resolved",
    },
  );
}
