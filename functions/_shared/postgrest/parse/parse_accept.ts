/**
 * The `Accept` header: which representation the client wants (PostgREST's content negotiation).
 *
 * @module
 */

import { PostgrestError } from "../../errors/mod.ts";
import type { AcceptMedia, ExplainRequest } from "./request.ts";

/** A media range of an `Accept` or `Content-Type` header, lower-cased, with its parameters. */
export interface MediaRange {
  /** `type/subtype`, lower-cased. */
  readonly type: string;
  /** Parameters with lower-cased names and unquoted values. */
  readonly params: Readonly<Record<string, string>>;
  /** The text as sent, trimmed. */
  readonly raw: string;
}

/**
 * Parses one media range: `application/vnd.pgrst.object+json; nulls=stripped`.
 *
 * @example
 * ```ts
 * parseMediaRange("Text/CSV; q=0.5").params.q; // "0.5"
 * ```
 */
export function parseMediaRange(text: string): MediaRange {
  const [type = "", ...params] = text.split(";");
  const entries = params.map((param) => {
    const eq = param.indexOf("=");
    const name = (eq === -1 ? param : param.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? "" : param.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    return [name, value] as const;
  });
  return { type: type.trim().toLowerCase(), params: Object.fromEntries(entries), raw: text.trim() };
}

/**
 * Chooses the representation for an `Accept` header: the client's most preferred (highest `q`, then
 * first) media type that the gateway produces. A missing or empty header means `*∕*`.
 *
 * | media type | representation |
 * | --- | --- |
 * | `application/json`, `*∕*`, `application/vnd.pgrst.array+json` | `json` (`;nulls=stripped` strips nulls) |
 * | `application/vnd.pgrst.object+json` | `object`: exactly one row, else 406 `PGRST116` later |
 * | `text/csv` | `csv` |
 *
 * `application/vnd.pgrst.plan[+text|+json]` (EXPLAIN, supabase-js' `explain()`) is returned as `plan`,
 * with the media it is for: PostgREST serves it only with `db-plan-enabled`, off by default, so the
 * executor falls back to `plan.otherwise` (the next acceptable range, or PostgREST's `PGRST107`) unless
 * the data source turned plans on. Everything else is not produced.
 *
 * @throws {PostgrestError} `PGRST107` (406) when nothing acceptable is produced.
 *
 * @example
 * ```ts
 * parseAccept("text/html, application/json;q=0.8"); // { media: "json", stripNulls: false }
 * ```
 */
export function parseAccept(header: string | null): AcceptMedia {
  if (header === null || header.trim() === "") return { media: "json", stripNulls: false };
  const ranges = splitMediaRanges(header)
    .map((range, index) => ({ range, index, q: quality(range) }))
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.range);
  const refused = () =>
    `None of these media types are available: ${splitMediaRanges(header).slice(0, 10).map(mime).join(", ")}`;
  for (const [index, range] of ranges.entries()) {
    if (isPlan(range)) {
      const rest = ranges.slice(index + 1).filter((other) => !isPlan(other));
      return { ...planFor(range), plan: explainRequest(range, rest, refused) };
    }
    const media = produced(range);
    if (media !== null) return media;
  }
  throw new PostgrestError("PGRST107", refused());
}

/** The representation the gateway produces for one media range, or `null`. */
function produced(range: MediaRange): Omit<AcceptMedia, "plan"> | null {
  const stripNulls = range.params.nulls === "stripped";
  switch (range.type) {
    case "*/*":
    case "application/json":
      return { media: "json", stripNulls: false };
    case "application/vnd.pgrst.array+json":
    case "application/vnd.pgrst.array":
      return { media: "json", stripNulls };
    case "application/vnd.pgrst.object+json":
    case "application/vnd.pgrst.object":
      return { media: "object", stripNulls };
    case "text/csv":
      return { media: "csv", stripNulls: false };
  }
  return null;
}

const PLAN_TYPE = /^application\/vnd\.pgrst\.plan(\+(text|json))?$/;
const PLAN_OPTIONS = ["analyze", "verbose", "settings", "buffers", "wal"] as const;

function isPlan(range: MediaRange): boolean {
  return PLAN_TYPE.test(range.type);
}

/** The rows' media a plan is for (`for="…"`, `application/json` by default). */
function planFor(range: MediaRange): Omit<AcceptMedia, "plan"> {
  const target = range.params.for ? produced(parseMediaRange(range.params.for)) : null;
  return target ?? { media: "json", stripNulls: false };
}

function explainRequest(
  range: MediaRange,
  rest: readonly MediaRange[],
  refused: () => string,
): ExplainRequest {
  const format = range.type.endsWith("+json") ? "json" : "text";
  const asked = (range.params.options ?? "").split("|");
  const options = PLAN_OPTIONS.filter((option) => asked.includes(option));
  const forType = range.params.for || "application/json";
  const otherwise = rest.map(produced).find((media) => media !== null) ?? { refused: refused() };
  return {
    format,
    options,
    contentType: `application/vnd.pgrst.plan+${format}; for="${forType}"; charset=utf-8`,
    otherwise,
  };
}

/** The longest media type repeated in `PGRST107`'s message. */
const MAX_LISTED_LENGTH = 100;

/**
 * A media range as PostgREST names it in `PGRST107`: the type without its parameters, except for an
 * EXPLAIN plan, whose `for` and `options` it keeps (`application/vnd.pgrst.plan+text; for="application/json"`).
 */
function mime(range: MediaRange): string {
  let text = range.type;
  if (/^application\/vnd\.pgrst\.plan(\+(text|json))?$/.test(range.type)) {
    const format = range.type.endsWith("+json") ? "json" : "text";
    text = `application/vnd.pgrst.plan+${format}; for="${range.params.for || "application/json"}"`;
    if (range.params.options) text += `; options=${range.params.options}`;
  }
  return text.length > MAX_LISTED_LENGTH ? `${text.slice(0, MAX_LISTED_LENGTH)}…` : text;
}

/** Splits a header at commas that are outside quoted parameter values. */
function splitMediaRanges(header: string): MediaRange[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.filter((part) => part.trim() !== "").map(parseMediaRange);
}

function quality(range: MediaRange): number {
  const q = range.params.q;
  if (q === undefined) return 1;
  const value = Number(q);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : 1;
}
