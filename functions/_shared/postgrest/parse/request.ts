/**
 * The request model: what the parse stage makes of an HTTP request in PostgREST's language, before any
 * catalog or database is consulted. Names are as the client wrote them (not yet checked against a table);
 * filter values are strings (typed by the planner against the column).
 *
 * Absent optional parts are `null`, never `undefined`, so the model compares and serialises plainly.
 *
 * @module
 */

/** One step of a JSON path: `->key`, `->>key`, `->0`, `->>-1`. */
export type JsonPathStep =
  | { readonly arrow: "->" | "->>"; readonly kind: "key"; readonly key: string }
  | { readonly arrow: "->" | "->>"; readonly kind: "index"; readonly index: number };

/** A column, possibly followed by a JSON path: `address->geo->>lat`. */
export interface Field {
  /** The column name. */
  readonly name: string;
  /** The JSON path, empty for a plain column. */
  readonly jsonPath: readonly JsonPathStep[];
}

/** The aggregate functions PostgREST's grammar knows (`amount.sum()`). */
export type AggregateFunction = "avg" | "count" | "max" | "min" | "sum";

/** `*` in a select list. */
export interface SelectStar {
  /** Discriminant. */
  readonly kind: "star";
}

/** A column (or JSON path) in a select list: `alias:column->path::cast`, optionally aggregated. */
export interface SelectField {
  /** Discriminant. */
  readonly kind: "field";
  /** The column and its JSON path. */
  readonly field: Field;
  /** The output name, from `alias:`. */
  readonly alias: string | null;
  /** A type from `::type`, lower-cased and checked against {@linkcode CAST_TYPE_PATTERN}. */
  readonly cast: string | null;
  /** An aggregate from `.sum()` and friends. */
  readonly aggregate: AggregateFunction | null;
  /** A cast of the aggregate's result: `amount.sum()::int`. */
  readonly aggregateCast: string | null;
}

/**
 * A row count in a select list: `count()` (an aggregate), or a bare unquoted `count`, as in PostgREST's
 * related count `contacts(count)`. A bare `count` may also be a column named `count`: the planner decides
 * against the catalog. A quoted `"count"` is always a {@linkcode SelectField}.
 */
export interface SelectCount {
  /** Discriminant. */
  readonly kind: "count";
  /** The output name, from `alias:`. */
  readonly alias: string | null;
  /** A type from `count()::type`. */
  readonly cast: string | null;
  /** `true` for bare `count`, `false` for `count()`. */
  readonly bare: boolean;
}

/** How an embedded resource is joined: `!inner` or `!left`. */
export type JoinType = "inner" | "left";

/** An embedded resource: `alias:relation!hint!inner(select…)`. */
export interface SelectEmbed {
  /** Discriminant. */
  readonly kind: "embed";
  /** The related table (or a foreign key or column name, resolved by the planner). */
  readonly relation: string;
  /** The output name, from `alias:`. */
  readonly alias: string | null;
  /** The disambiguation hint from `!hint`. */
  readonly hint: string | null;
  /** The join from `!inner` / `!left`. */
  readonly join: JoinType | null;
  /** The embedded select list. */
  readonly select: readonly SelectItem[];
}

/** A spread embed: `...relation!hint(select…)`, whose columns join the parent object. */
export interface SelectSpread {
  /** Discriminant. */
  readonly kind: "spread";
  /** The related table. */
  readonly relation: string;
  /** The disambiguation hint from `!hint`. */
  readonly hint: string | null;
  /** The join from `!inner` / `!left`. */
  readonly join: JoinType | null;
  /** The embedded select list. */
  readonly select: readonly SelectItem[];
}

/** One item of a `select` list. */
export type SelectItem = SelectStar | SelectField | SelectCount | SelectEmbed | SelectSpread;

/** Operators that compare with one value, with an optional `(any)` / `(all)` quantifier. */
export type QuantifiableOperator = "eq" | "gt" | "gte" | "lt" | "lte" | "like" | "ilike" | "match" | "imatch";

/** Operators that compare with one value (arrays, ranges, JSON), without a quantifier. */
export type SimpleOperator = "neq" | "cs" | "cd" | "ov" | "sl" | "sr" | "nxr" | "nxl" | "adj";

/** Full-text search operators. */
export type FtsOperator = "fts" | "plfts" | "phfts" | "wfts";

/** The values `is.` accepts (case-insensitive in the query string, lower-case here). */
export type IsValue = "null" | "not_null" | "true" | "false" | "unknown";

/** What a filter does with its column. */
export type Operation =
  | {
    readonly kind: "compare";
    readonly operator: QuantifiableOperator | SimpleOperator;
    /** `eq(any).{a,b}`: compare with any / all elements of an array value. */
    readonly quantifier: "any" | "all" | null;
    /** The value as written; for `like`/`ilike`, `*` is already replaced by `%`. */
    readonly value: string;
  }
  | { readonly kind: "in"; readonly values: readonly string[] }
  | { readonly kind: "is"; readonly value: IsValue }
  | { readonly kind: "isdistinct"; readonly value: string }
  | {
    readonly kind: "fts";
    readonly operator: FtsOperator;
    /** The text search configuration from `fts(english)`. */
    readonly config: string | null;
    readonly value: string;
  };

/** A filter on one column: `contacts.email=not.ilike.*@acme.test`. */
export interface Filter {
  /** The embedded resources the filter applies to (`["contacts"]`), empty for the root. */
  readonly path: readonly string[];
  /** The filtered column and JSON path. */
  readonly field: Field;
  /** `not.` before the operator. */
  readonly negated: boolean;
  /** The operator and value. */
  readonly operation: Operation;
}

/** A node of an `or=(…)` / `and=(…)` tree: a filter (without an embed path) or a nested and/or. */
export type LogicTree =
  | {
    readonly kind: "filter";
    readonly field: Field;
    readonly negated: boolean;
    readonly operation: Operation;
  }
  | {
    readonly kind: "logic";
    readonly operator: "and" | "or";
    /** `not.or(…)`. */
    readonly negated: boolean;
    readonly children: readonly LogicTree[];
  };

/** An `or=(…)`, `not.and=(…)` or `contacts.or=(…)` parameter. */
export interface LogicFilter {
  /** The embedded resources it applies to, empty for the root. */
  readonly path: readonly string[];
  /** The tree, whose root is always a `logic` node. */
  readonly tree: LogicTree & { readonly kind: "logic" };
}

/** One term of `order=`. */
export interface OrderTerm {
  /**
   * `field` orders by a column of the resource; `relation` by a column of a to-one embedded resource
   * (`order=account(name).desc`).
   */
  readonly kind: "field" | "relation";
  /** For `relation` terms, the embedded resource. */
  readonly relation: string | null;
  /** The column and JSON path. */
  readonly field: Field;
  /** `.asc` / `.desc`, `null` when not given (ascending). */
  readonly direction: "asc" | "desc" | null;
  /** `.nullsfirst` / `.nullslast`, `null` when not given (PostgreSQL's default). */
  readonly nulls: "first" | "last" | null;
}

/** An `order=` or `contacts.order=` parameter. */
export interface OrderClause {
  /** The embedded resources it applies to, empty for the root. */
  readonly path: readonly string[];
  /** The terms, in order. */
  readonly terms: readonly OrderTerm[];
}

/** `limit=` / `offset=` for one level (`contacts.limit=2`). */
export interface QueryRange {
  /** The embedded resources it applies to, empty for the root. */
  readonly path: readonly string[];
  /** Rows at most, `null` for no limit. */
  readonly limit: number | null;
  /** Rows to skip. */
  readonly offset: number;
}

/** The query string, parsed. */
export interface ApiQuery {
  /** `select=`; `[{ kind: "star" }]` when absent. */
  readonly select: readonly SelectItem[];
  /** Every filter parameter, in query-string order (a column may be filtered twice). */
  readonly filters: readonly Filter[];
  /** `or=` / `and=` parameters. */
  readonly logic: readonly LogicFilter[];
  /** `order=` parameters. */
  readonly order: readonly OrderClause[];
  /** `limit=` / `offset=` parameters, one entry per level. */
  readonly ranges: readonly QueryRange[];
  /** `on_conflict=` columns. */
  readonly onConflict: readonly string[] | null;
  /** `columns=` (the columns a write takes from the body). */
  readonly columns: readonly string[] | null;
  /** For a GET/HEAD to an RPC: the parameters without an operator, which are the function's arguments. */
  readonly rpcArgs: readonly (readonly [name: string, value: string])[];
}

/** The `Prefer` header, parsed (RFC 7240). The first value of each preference wins. */
export interface Preferences {
  /** `return=`. */
  readonly return: "minimal" | "representation" | "headers-only" | null;
  /** `count=`. */
  readonly count: "exact" | "planned" | "estimated" | null;
  /** `resolution=` (upsert). */
  readonly resolution: "merge-duplicates" | "ignore-duplicates" | null;
  /** `missing=` (keys listed in `columns` but missing from a body object). */
  readonly missing: "default" | "null" | null;
  /** `handling=`: `strict` turns unknown preferences into a 400. */
  readonly handling: "strict" | "lenient" | null;
  /** `tx=`: honoured only where the executor allows it. */
  readonly tx: "commit" | "rollback" | null;
  /** `max-affected=`. */
  readonly maxAffected: number | null;
  /** `params=single-object` (deprecated by PostgREST; accepted, not acted on). */
  readonly params: "single-object" | null;
  /**
   * `timezone=`, as sent: applied when it is one of the server's `pg_timezone_names` (checked by the
   * gateway against the database, see `invalidPreferences`), else ignored or, with `handling=strict`, 400.
   */
  readonly timezone: string | null;
  /** Preferences that were not recognised, as sent (ignored unless `handling=strict`). */
  readonly invalid: readonly string[];
}

/** The representation the client accepts. */
export interface AcceptMedia {
  /**
   * `json` (`application/json`, `*∕*`), `object` (`application/vnd.pgrst.object+json`), `csv`. For an
   * EXPLAIN request, the media the plan is for (its `for` parameter).
   */
  readonly media: "json" | "object" | "csv";
  /** `nulls=stripped` on a `vnd.pgrst` media type. */
  readonly stripNulls: boolean;
  /** `Accept: application/vnd.pgrst.plan…`: the client wants the query's EXPLAIN plan, not its rows. */
  readonly plan?: ExplainRequest;
}

/** An `Accept: application/vnd.pgrst.plan[+text|+json]; for="…"; options=…` (supabase-js' `explain()`). */
export interface ExplainRequest {
  /** `+text` (the default) or `+json`. */
  readonly format: "text" | "json";
  /** `options=analyze|verbose|settings|buffers|wal`, the known ones, in that order. */
  readonly options: readonly ("analyze" | "verbose" | "settings" | "buffers" | "wal")[];
  /** The `Content-Type` of the answer, as PostgREST names it. */
  readonly contentType: string;
  /**
   * What the client accepts besides the plan when plans are off (PostgREST's `db-plan-enabled`), or the
   * `PGRST107` message when nothing is left.
   */
  readonly otherwise: Omit<AcceptMedia, "plan"> | { readonly refused: string };
}

/** Rows requested by a `Range: items=0-9` header. */
export interface RowRange {
  /** The first row, from 0. */
  readonly offset: number;
  /** Rows at most, `null` for an open range (`items=10-`). */
  readonly limit: number | null;
}

/** The headers that shape a request, parsed. */
export interface ApiHeaders {
  /** The schema from `Accept-Profile` (reads) or `Content-Profile` (writes), or the default. */
  readonly schema: string;
  /** `Prefer`. */
  readonly preferences: Preferences;
  /** `Accept`. */
  readonly accept: AcceptMedia;
  /** `Range`, `null` when absent. */
  readonly range: RowRange | null;
}

/** A JSON value. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/**
 * A write's JSON body: one object or an array of objects, with the keys the write takes. `raw` is the
 * body's text: bind it as one `json` parameter (as PostgREST does) so big integers and long numerics keep
 * every digit, which `value` (parsed into JavaScript numbers) cannot promise.
 */
export type Payload =
  | {
    readonly kind: "object";
    readonly value: JsonObject;
    /** The object's keys, or `columns=` when given. */
    readonly keys: readonly string[];
    readonly raw: string;
  }
  | {
    readonly kind: "array";
    readonly value: readonly JsonObject[];
    /** The keys every object shares, or `columns=` when given. */
    readonly keys: readonly string[];
    readonly raw: string;
  };

/** What the request addresses: `/rest/v1/<table>` or `/rest/v1/rpc/<function>`. */
export interface Resource {
  /** `table` (a table or view) or `rpc` (a function). */
  readonly kind: "table" | "rpc";
  /** The name, percent-decoded. */
  readonly name: string;
}

/** The HTTP methods the gateway serves. */
export type ApiMethod = "GET" | "HEAD" | "POST" | "PATCH" | "DELETE";

/** What the request does: read, the three writes, or a function call. */
export type ApiAction = "read" | "create" | "update" | "delete" | "call";

/** A PostgREST request, parsed: the output of the parse stage and the input of the planner. */
export interface ApiRequest {
  /** The HTTP method. */
  readonly method: ApiMethod;
  /** What the method does to the resource. */
  readonly action: ApiAction;
  /** The table or function. */
  readonly resource: Resource;
  /** The schema (`public` unless configured otherwise). */
  readonly schema: string;
  /** The query string. */
  readonly query: ApiQuery;
  /** `Prefer`. */
  readonly preferences: Preferences;
  /** `Accept`. */
  readonly accept: AcceptMedia;
  /** `Range`, `null` when absent; the planner intersects it with the root `limit`/`offset`. */
  readonly range: RowRange | null;
  /** The JSON body of a POST or PATCH; `null` for other methods. */
  readonly body: Payload | null;
}
