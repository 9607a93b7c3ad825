/**
 * The JSON body of a write or an RPC call (PostgREST's `getPayload`).
 *
 * @module
 */

import { quote } from "./_quote.ts";
import { PostgrestError } from "../../errors/mod.ts";
import { MAX_JSON_DEPTH } from "./limits.ts";
import { nestsTooDeep } from "./_json_depth.ts";
import type { JsonObject, JsonValue, Payload } from "./request.ts";

/** Options of {@linkcode parseBody}. */
export interface ParseBodyOptions {
  /**
   * What the body is for: rows to `insert` (an object or an array of objects), an `update` (one object),
   * or the arguments of an `rpc` (one object; an empty body is `{}`).
   */
  target: "insert" | "update" | "rpc";
  /** `columns=`: the keys the write takes; with it, the objects of an array need not share keys. */
  columns?: readonly string[] | null;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes and checks a JSON body. The payload keeps the body's text as `raw`, so the SQL stage can hand it
 * to PostgreSQL as one `json` parameter (as PostgREST does) and big integers and long numerics keep every
 * digit; `value` is the parsed form for checks and keys.
 *
 * Without `columns`, every object of an array must have the same keys (PostgREST's rule).
 *
 * @throws {PostgrestError} `PGRST102` (400) for a body that is not UTF-8, not JSON, empty (except for an
 * RPC), of the wrong shape, or an array whose objects have different keys.
 *
 * @example
 * ```ts
 * parseBody(new TextEncoder().encode('[{"a":1},{"a":2}]'), { target: "insert" });
 * // { kind: "array", value: [{ a: 1 }, { a: 2 }], keys: ["a"], raw: '[{"a":1},{"a":2}]' }
 * ```
 */
export function parseBody(bytes: Uint8Array, options: ParseBodyOptions): Payload {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw invalid("it is not valid UTF-8");
  }
  if (text.trim() === "") {
    if (options.target === "rpc") return { kind: "object", value: {}, keys: [], raw: "{}" };
    throw invalid("it is empty", "Send a JSON object or an array of objects");
  }
  if (nestsTooDeep(text)) {
    throw invalid(`it nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let value: JsonValue;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PostgrestError("PGRST102", "Cannot parse body: invalid JSON", {
      details: err instanceof Error ? err.message.slice(0, 200) : null,
    });
  }
  const columns = options.columns ?? null;
  if (isObject(value)) return { kind: "object", value, keys: columns ?? Object.keys(value), raw: text };
  if (!Array.isArray(value)) throw invalid("expected a JSON object or an array of objects");
  // A function of one unnamed json/jsonb parameter takes any body; the planner refuses arrays otherwise.
  if (options.target === "rpc") return { kind: "array", value: [], keys: [], raw: text };
  if (options.target !== "insert") {
    throw invalid(
      `${options.target === "update" ? "an update" : "function arguments"} must be one JSON object`,
    );
  }
  const rows: JsonObject[] = [];
  for (const [index, row] of value.entries()) {
    if (!isObject(row)) throw invalid(`element ${index} of the array is not a JSON object`);
    rows.push(row);
  }
  return { kind: "array", value: rows, keys: columns ?? sharedKeys(rows), raw: text };
}

function sharedKeys(rows: readonly JsonObject[]): string[] {
  const keys = rows[0] === undefined ? [] : Object.keys(rows[0]);
  const set = new Set(keys);
  for (const [index, row] of rows.entries()) {
    const own = Object.keys(row);
    if (own.length !== set.size || !own.every((key) => set.has(key))) {
      const odd = own.find((key) => !set.has(key)) ?? keys.find((key) => !Object.hasOwn(row, key)) ?? "";
      throw new PostgrestError("PGRST102", "Cannot parse body: all object keys must match", {
        details: `Element ${index} differs from element 0 in key ${quote(odd)}`,
        hint: "Send the same keys in every object, or list the keys in columns=",
      });
    }
  }
  return keys;
}

function isObject(value: JsonValue): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(problem: string, hint?: string): PostgrestError {
  return new PostgrestError("PGRST102", `Cannot parse body: ${problem}`, hint === undefined ? {} : { hint });
}
