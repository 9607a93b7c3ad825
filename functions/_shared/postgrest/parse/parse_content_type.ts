/**
 * The `Content-Type` of a write.
 *
 * @module
 */

import { quote } from "./_quote.ts";
import { PostgrestError } from "../../errors/mod.ts";
import { parseMediaRange } from "./parse_accept.ts";

/**
 * Checks the `Content-Type` of a POST or PATCH: the gateway takes JSON bodies only. A missing header means
 * `application/json`, as in PostgREST; parameters (`charset=utf-8`) are ignored (JSON is UTF-8).
 *
 * PostgREST also takes `text/csv` and `application/x-www-form-urlencoded` bodies; the gateway does not
 * (supabase-js never sends them) and answers as PostgREST answers a type it does not take: 400 `PGRST102`.
 *
 * @throws {PostgrestError} `PGRST102` (400) for any other media type.
 *
 * @example
 * ```ts
 * parseContentType("application/json; charset=utf-8"); // "json"
 * ```
 */
export function parseContentType(header: string | null): "json" {
  if (header === null || header.trim() === "") return "json";
  const { type, raw } = parseMediaRange(header);
  if (type === "application/json") return "json";
  throw new PostgrestError("PGRST102", `Content-Type not acceptable: ${quote(raw)}`, {
    hint: "Send the body as application/json",
  });
}
