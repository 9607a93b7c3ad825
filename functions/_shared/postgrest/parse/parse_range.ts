/**
 * The `Range` and `Range-Unit` headers (PostgREST's `rangeParse`).
 *
 * @module
 */

import { quote } from "./_quote.ts";
import { PostgrestError } from "../../errors/mod.ts";
import { MAX_LIMIT, MAX_OFFSET } from "./limits.ts";
import type { RowRange } from "./request.ts";

/** Options of {@linkcode parseRange}. */
export interface ParseRangeOptions {
  /** The `Range-Unit` header; only `items` (any case) is served. */
  unit?: string | null;
}

const RANGE = /^(?:items=)?(\d{1,15})-(\d{0,15})$/i;

/**
 * Parses a `Range` header: `items=0-9` (RFC 7233) or PostgREST's bare `0-9`; `10-` is open-ended. Rows are
 * counted from 0 and both ends are included.
 *
 * Stricter than PostgREST, which ignores a malformed `Range`: here it is a 416, because silently
 * answering with every row is worse for a client that asked for a page.
 *
 * @throws {PostgrestError} `PGRST103` (416) for a malformed range, a lower end above the upper end, a unit
 * other than `items`, or a range beyond {@linkcode MAX_LIMIT} rows or starting beyond {@linkcode MAX_OFFSET}.
 *
 * @example
 * ```ts
 * parseRange("items=20-39"); // { offset: 20, limit: 20 }
 * ```
 */
export function parseRange(header: string | null, options: ParseRangeOptions = {}): RowRange | null {
  const unit = options.unit?.trim();
  if (unit !== undefined && unit !== "" && unit.toLowerCase() !== "items") {
    throw invalid(`Range-Unit must be "items", got ${quote(unit)}`);
  }
  if (header === null) return null;
  const match = RANGE.exec(header.trim());
  if (match === null) throw invalid(`The Range header must look like "items=0-9", got ${quote(header)}`);
  const offset = Number(match[1]);
  const upper = match[2] === "" || match[2] === undefined ? null : Number(match[2]);
  if (upper !== null && upper < offset) {
    throw invalid(
      "The lower boundary must be lower than or equal to the upper boundary in the Range header.",
    );
  }
  if (offset > MAX_OFFSET) throw invalid(`The Range header may start at row ${MAX_OFFSET} at most`);
  const limit = upper === null ? null : upper - offset + 1;
  if (limit !== null && limit > MAX_LIMIT) {
    throw invalid(`The Range header may span ${MAX_LIMIT} rows at most`);
  }
  return { offset, limit };
}

function invalid(details: string): PostgrestError {
  return new PostgrestError("PGRST103", undefined, { details });
}
