/**
 * The headers that shape a PostgREST request: profile, `Prefer`, `Accept`, `Range`.
 *
 * @module
 */

import { quote } from "./_quote.ts";
import { PostgrestError } from "../../errors/mod.ts";
import { parseAccept } from "./parse_accept.ts";
import { parsePrefer } from "./parse_prefer.ts";
import { parseRange } from "./parse_range.ts";
import type { ApiHeaders } from "./request.ts";

/** The schemas a request may name by default: only `public`. */
export const DEFAULT_SCHEMAS: readonly string[] = ["public"];

/** Options of {@linkcode parseHeaders}. */
export interface ParseHeadersOptions {
  /** The request method: writes name their schema in `Content-Profile`, reads in `Accept-Profile`. */
  method: string;
  /** The schemas that may be named, the first being the default; defaults to {@linkcode DEFAULT_SCHEMAS}. */
  schemas?: readonly string[];
}

/**
 * Parses the headers of a request, in PostgREST's order: `Accept`, profile, `Range`, `Prefer`.
 *
 * The schema comes from `Content-Profile` for POST, PATCH, PUT and DELETE and from `Accept-Profile`
 * otherwise (supabase-js sends `public` by default); absent, it is the first of `schemas`.
 *
 * @throws {PostgrestError} `PGRST107` (406) for an unavailable `Accept`, `PGRST106` (406) for a schema that
 * is not exposed, `PGRST103` (416) for an invalid `Range`, `PGRST122` (400) for unrecognised preferences
 * with `handling=strict`.
 *
 * @example
 * ```ts
 * parseHeaders(new Headers({ accept: "application/vnd.pgrst.object+json" }), { method: "GET" });
 * // { schema: "public", accept: { media: "object", stripNulls: false }, range: null, preferences: {…} }
 * ```
 */
export function parseHeaders(headers: Headers, options: ParseHeadersOptions): ApiHeaders {
  const schemas = options.schemas ?? DEFAULT_SCHEMAS;
  const accept = parseAccept(headers.get("accept"));
  const write = ["POST", "PATCH", "PUT", "DELETE"].includes(options.method);
  const profile = headers.get(write ? "content-profile" : "accept-profile")?.trim();
  const schema = profile === undefined || profile === "" ? schemas[0] ?? "public" : profile;
  if (!schemas.includes(schema)) {
    throw new PostgrestError("PGRST106", `Invalid schema: ${quote(schema)}`, {
      hint: `Only the following schemas are exposed: ${schemas.join(", ")}`,
    });
  }
  const range = parseRange(headers.get("range"), { unit: headers.get("range-unit") });
  const preferences = parsePrefer(headers.get("prefer"));
  return { schema, preferences, accept, range };
}
