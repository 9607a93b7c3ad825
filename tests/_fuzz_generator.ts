/**
 * The request generator of the gateway fuzzer (`fuzz_gateway_test.ts`): a seeded PRNG and hostile requests
 * in PostgREST's language, built from the tenant database's real catalog. Request `i` of seed `s` depends
 * on `(s, i)` only, so one request is reproduced without replaying the others.
 *
 * @module
 */
import { CAST_TYPE_PATTERN, MAX_BODY_BYTES } from "../functions/_shared/postgrest/parse/mod.ts";

/** A small, fast, seeded PRNG (mulberry32) with the helpers the generator needs. */
export class Prng {
  #state: number;
  /**
   * Set for a well-formed request: valid grammar, real names, valid headers, hostile values only, so it
   * reaches planning, SQL and the database. Unset, anything goes.
   */
  wellFormed = false;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** `weight`, or 0 in a well-formed request: the weight of a choice that breaks the grammar. */
  bad(weight: number): number {
    return this.wellFormed ? 0 : weight;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One of the entries, each with its relative weight. */
  weighted<T>(entries: readonly (readonly [number, T])[]): T {
    const total = entries.reduce((sum, [weight]) => sum + weight, 0);
    let at = this.next() * total;
    for (const [weight, value] of entries) {
      at -= weight;
      if (at < 0) return value;
    }
    return entries[entries.length - 1]![1];
  }

  times<T>(n: number, make: (i: number) => T): T[] {
    return Array.from({ length: n }, (_, i) => make(i));
  }
}

/** The seed of request `index` of a run seeded with `seed` (a 32-bit mix of both). */
export function requestSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** One column of the catalog the fuzzer reads from the tenant database. */
export interface FuzzColumn {
  name: string;
  /** `udt_name`: `uuid`, `text`, `int4`, `_text`, `jsonb`… */
  type: string;
}

/** A foreign key seen from one table: the table it leads to and the constraint's name (a hint). */
export interface FuzzRelation {
  table: string;
  constraint: string;
  column: string;
}

/** One table of the catalog. */
export interface FuzzTable {
  name: string;
  columns: FuzzColumn[];
  /** Tables it embeds along foreign keys, both directions. */
  relations: FuzzRelation[];
  /** Its own foreign key columns → the table each points at. */
  foreignKeys: Record<string, string>;
}

/** What the generator draws names and values from. */
export interface FuzzContext {
  tables: FuzzTable[];
  /** The caller's tenant: its slug, id, and its row ids by table (for filters and references). */
  own: { slug: string; id: string; rows: Record<string, string[]> };
  /** Other tenants' ids (slug → id). */
  otherTenants: Record<string, string>;
  /**
   * Other tenants' row ids in the caller's database by table: sent as ids and references in writes (a
   * unique or foreign key violation is the expected answer, never a write into that tenant).
   */
  sameDatabaseForeignRows: Record<string, string[]>;
  /** Other tenants' row ids anywhere (other databases too): sent in filters only. */
  foreignRows: string[];
}

/** Which Authorization the runner sends; `user` is the caller's own valid token, the rest are not valid. */
export type FuzzAuth =
  | "user"
  | "none"
  | "garbage"
  | "expired"
  | "stranger"
  | "role_claim"
  | "alg_none"
  | "basic";

/** One generated request, relative to the function's base URL. */
export interface FuzzRequest {
  /** What the request mostly exercises, for the summary. */
  kind: string;
  method: string;
  /** `/rest/v1/<table>?<query>`: a string (fetch percent-encodes what it must) or raw bytes. */
  target: string | Uint8Array;
  headers: [string, string | Uint8Array][];
  body?: string | Uint8Array;
  /** A `Content-Length` that lies (raw requests only). */
  contentLength?: number;
  auth: FuzzAuth;
  apikey: "anon" | "none" | "service_role" | "garbage" | "user_token";
}

// ---------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------

/**
 * Hostile values the generator sends (and may store in the caller's rows, to be read back later): a leak
 * check excuses them anywhere, since an answer may quote a row an earlier request wrote.
 */
export const INJECTIONS: readonly string[] = [
  "'; drop table public.accounts; --",
  "' or '1'='1",
  "' or 1=1--",
  '") or ("1"="1',
  "1; select pg_sleep(10)",
  "1) or (1=1",
  "(select 1)",
  "$$; drop table accounts; $$",
  "$1",
  "$2::text",
  "\\",
  "\\'",
  "'",
  '"',
  "''",
  "%",
  "_",
  "*",
  "%%",
  "current_setting('request.jwt.claims')",
  "pg_read_file('/etc/passwd')",
  "'||(select string_agg(secret_ciphertext::text,',') from private.data_sources)||'",
  "x' union select id, tenant_id from public.accounts --",
  "set role service_role",
  "reset role; select * from pg_authid",
  "null",
  "NULL",
  "true",
  "undefined",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "-0",
  "0x1F",
  "١٢٣",
  "{}",
  "[]",
  '{"a":1}',
  "{a,b}",
  "{{1,2},{3}}",
  "[1,2)",
  "(1,2)",
  "2024-02-30",
  "infinity",
  "epoch",
  "now",
  "allballs",
  "\u0000",
  "a\u0000b",
  "\r\nx-injected: 1",
  "<script>alert(1)</script>",
  "${7*7}",
  "{{7*7}}",
  "../../etc/passwd",
  "%00",
  "%2e%2e%2f",
  "\ud800",
  "\udfff",
  "\ufeff",
  "\u202e",
  "\u200b",
  "Zoë O'Connor 李小龍 🪨 Müller & Töchter",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "e\u0301",
  "ﷺ",
  "file:///etc/passwd",
  "a,b",
  "a)b",
  "(a",
  "a.b.c",
  "not.eq.1",
  "eq.1&tenant_id=neq.x",
  "!inner",
  "::text",
  "->>'x'",
];

const CHAR_CLASSES: readonly string[] = [
  "abcdefghijklmnopqrstuvwxyz",
  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
  " '\";()-,.*%_\\$:!=&#+/?@[]{}<>|^`~",
  "äöüßéèñçøåæ李小龍日本語한국어العربيةעבריתрусский",
  "\u0000\u0001\u0007\b\t\n\v\f\r\u001b\u007f",
  "\u200b\u200c\u200d\u202e\ufeff\ufffd\ufffe\uffff",
];

function randomString(r: Prng, maxLength = 24): string {
  const length = r.weighted([[6, r.int(0, maxLength)], [1, r.int(maxLength, maxLength * 20)]]);
  let text = "";
  const classes = r.times(r.int(1, 3), () => r.pick(CHAR_CLASSES));
  while (text.length < length) {
    const roll = r.next();
    if (roll < 0.04) text += String.fromCodePoint(r.int(0x10000, 0x10ffff)); // astral
    else if (roll < 0.06) text += String.fromCharCode(r.int(0xd800, 0xdfff)); // a lone surrogate
    else if (roll < 0.1) text += String.fromCharCode(r.int(0x80, 0xffff));
    else text += r.pick([...r.pick(classes)]);
  }
  return text;
}

function hugeString(r: Prng): string {
  const unit = r.pick(["a", "'", "%", "\\", "é", "🪨", "(", ",", "ab", "x".repeat(7)]);
  return unit.repeat(Math.ceil(r.pick([1_000, 5_000, 20_000, 60_000]) / unit.length));
}

/** A version-4 uuid from the PRNG (the request must depend on the seed only). */
function randomUuid(r: Prng): string {
  const hex = r.times(32, () => r.int(0, 15).toString(16)).join("");
  const variant = (8 + r.int(0, 3)).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${
    hex.slice(20)
  }`;
}

function uuidLike(r: Prng): string {
  return r.pick([
    randomUuid(r),
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "not-a-uuid",
    "{a0000000-0000-4000-8000-000000000002}",
    "A0000000-0000-4000-8000-000000000002",
    "a0000000000040008000000000000002",
    "a0000000-0000-4000-8000-00000000000",
    "",
  ]);
}

/** A text value for a filter or a body, of any kind. */
function anyValue(r: Prng, ctx: FuzzContext, where: "filter" | "body"): string {
  return r.weighted<() => string>([
    [4, () => r.pick(INJECTIONS)],
    [4, () => randomString(r)],
    [0.2, () => hugeString(r)],
    [2, () => String(r.pick([0, 1, -1, 42, 2147483648, -2147483649, 9223372036854775807n, 1e21, 0.5]))],
    [2, () => uuidLike(r)],
    [2, () => r.pick(Object.values(ctx.own.rows).flat().concat(ctx.own.id))],
    // Other tenants' ids go only into filters: a filter can only narrow what RLS lets through.
    [where === "filter" ? 2 : 0, () => r.pick([...ctx.foreignRows, ...Object.values(ctx.otherTenants)])],
    [1, () => r.pick(["2024-01-01", "2024-13-45", "294277-01-01", "-infinity", "2024-01-01T25:61:00Z"])],
  ])();
}

/** A JSON value for a column of `type`, right or (sometimes) wrong. */
function jsonValue(r: Prng, ctx: FuzzContext, table: FuzzTable, column: FuzzColumn): unknown {
  if (column.name === "tenant_id") {
    return r.weighted<unknown>([
      [3, r.pick(Object.values(ctx.otherTenants))],
      [1, ctx.own.id],
      [1, randomUuid(r)],
      [1, null],
    ]);
  }
  const target = column.name === "id" ? table.name : table.foreignKeys[column.name];
  if (target !== undefined && r.chance(0.7)) {
    const own = ctx.own.rows[target] ?? [];
    const foreign = ctx.sameDatabaseForeignRows[target] ?? [];
    return r.weighted<unknown>([
      [3, own.length > 0 ? r.pick(own) : randomUuid(r)],
      [3, foreign.length > 0 ? r.pick(foreign) : randomUuid(r)],
      [1, randomUuid(r)],
      [1, null],
    ]);
  }
  if (r.chance(r.wellFormed ? 0.08 : 0.2)) return wrongValue(r, ctx);
  switch (column.type) {
    case "uuid":
      return r.chance(0.5) ? randomUuid(r) : uuidLike(r);
    case "int4":
    case "int8":
      return r.pick([0, 1, -1, 7, 2147483647, 2147483648, -2147483649, 9007199254740993, 1.5]);
    case "numeric":
      return r.pick([0, 1.25, -3, 99999999999999.99, 1e20, 1e-20, "NaN", "1e400"]);
    case "bool":
      return r.pick([true, false, null, "t", "yes", 1, "maybe"]);
    case "timestamptz":
    case "date":
      return r.pick(["2024-01-01", "2024-06-30T12:00:00Z", "infinity", "2024-02-30", "0001-01-01 BC", "now"]);
    case "jsonb":
    case "json":
      return randomJson(r, r.int(0, 4));
    case "_text":
      return r.pick<unknown>([[], ["a", "b"], [randomString(r)], [["nested"]], [1, null], "{a,b}", {}]);
    default:
      return r.weighted<() => unknown>([
        [6, () => randomString(r)],
        [2, () => r.pick(INJECTIONS)],
        [0.2, () => hugeString(r)],
      ])();
  }
}

function wrongValue(r: Prng, ctx: FuzzContext): unknown {
  return r.pick<unknown>([
    null,
    true,
    0,
    -1,
    1e308,
    [],
    {},
    [1, [2, [3]]],
    { nested: { deeper: true } },
    anyValue(r, ctx, "body"),
  ]);
}

function randomJson(r: Prng, depth: number): unknown {
  if (depth <= 0) return r.pick<unknown>([null, true, 1, -0.5, "x", randomString(r, 8), 1e300]);
  if (r.chance(0.5)) return r.times(r.int(0, 4), () => randomJson(r, depth - 1));
  const object: Record<string, unknown> = {};
  // Never a "tenant_id" key: the checks read any object's tenant_id as a row's tenant.
  for (let i = r.int(0, 4); i > 0; i--) {
    object[r.pick(["city", "a", "k", "", "é", "line1", "country", randomString(r, 6)])] = randomJson(
      r,
      depth - 1,
    );
  }
  return object;
}

// ---------------------------------------------------------------------------------------------------
// The query language
// ---------------------------------------------------------------------------------------------------

const OPERATORS: readonly string[] = [
  "eq",
  "neq",
  "gt",
  "gte",
  "lt",
  "lte",
  "like",
  "ilike",
  "match",
  "imatch",
  "in",
  "is",
  "isdistinct",
  "cs",
  "cd",
  "ov",
  "sl",
  "sr",
  "nxr",
  "nxl",
  "adj",
  "fts",
  "plfts",
  "phfts",
  "wfts",
];

const CASTS: readonly string[] = [
  "text",
  "int",
  "int4",
  "int8",
  "bigint",
  "numeric",
  "float8",
  "double precision",
  "uuid",
  "json",
  "jsonb",
  "date",
  "timestamp",
  "timestamptz",
  "bool",
  "text[]",
  "int[]",
  "regclass",
  "regproc",
  "regprocedure",
  "regtype",
  "regrole",
  "regnamespace",
  "regconfig",
  "oid",
  "xid",
  "bytea",
  "xml",
  "tsvector",
  "tsquery",
  "money",
  "interval",
  "point",
  "inet",
  "macaddr",
  "bit",
  "pg_lsn",
  "pg_snapshot",
  "name",
  "char",
  "character varying",
  "record",
  "anyelement",
  "void",
  "unknown",
  "cstring",
  "internal",
  "trigger",
  "accounts",
  "pg_catalog.text",
  "Text",
  "text;drop",
  "text)",
  "",
];

const AGGREGATES: readonly string[] = ["sum", "avg", "count", "max", "min", "stddev", "pg_sleep"];
const JSON_KEYS: readonly string[] = ["city", "country", "0", "-1", "'quoted'", "a b", "line1", "é", "k"];

function columnName(r: Prng, table: FuzzTable): string {
  return r.weighted<() => string>([
    [12, () => r.pick(table.columns).name],
    [r.bad(1), () => r.pick(["nope", "ID", "Name", "tenant_id ", "pg_sleep(1)", "id;drop", "count", "*"])],
    [1, () => `"${r.pick(table.columns).name}"`],
    [r.bad(1), () => randomString(r, 10)],
  ])();
}

function jsonPath(r: Prng): string {
  const steps = r.int(1, 3);
  return r.times(steps, (i) => `${i === steps - 1 && r.chance(0.6) ? "->>" : "->"}${r.pick(JSON_KEYS)}`).join(
    "",
  );
}

function alias(r: Prng): string {
  // Never "tenant_id": the checks read any object's tenant_id as a row's tenant.
  return r.wellFormed
    ? r.pick(["a", "x1", "id", "name", "Ünï", "_"])
    : r.pick(["a", "x1", "id", "name", "count", "Ünï", '"q,uoted"', "sel-ect", "a b", "_"]);
}

function selectItem(r: Prng, ctx: FuzzContext, table: FuzzTable, depth: number): string {
  return r.weighted<() => string>([
    [2, () => "*"],
    [8, () => columnName(r, table)],
    [2, () => `${alias(r)}:${columnName(r, table)}`],
    [2, () => `${columnName(r, table)}::${cast(r)}`],
    [2, () => `${columnName(r, table)}${jsonPath(r)}${r.chance(0.3) ? `::${cast(r)}` : ""}`],
    [1, () => `${columnName(r, table)}.${aggregate(r)}()${r.chance(0.3) ? `::${cast(r)}` : ""}`],
    [1, () => r.pick(r.wellFormed ? ["count()", "count()::text", "c:count()"] : ["count", "count(*)"])],
    [depth < 2 ? 4 : depth < 10 ? 1 : 0, () => embed(r, ctx, table, depth + 1)],
    [
      r.bad(1),
      () => r.pick(["pg_sleep(5)", "id;drop", "(id)", "id,", ",", "id)", "((", "!inner", "...", "a:b:c"]),
    ],
  ])();
}

/** The casts that pass the gateway's cast grammar, reg* and pseudo-types included. */
const VALID_CASTS: readonly string[] = CASTS.filter((c) => CAST_TYPE_PATTERN.test(c));

function cast(r: Prng): string {
  return r.pick(r.wellFormed ? VALID_CASTS : CASTS);
}

function aggregate(r: Prng): string {
  return r.wellFormed ? r.pick(["sum", "avg", "count", "max", "min"]) : r.pick(AGGREGATES);
}

function embed(r: Prng, ctx: FuzzContext, table: FuzzTable, depth: number): string {
  const relation = table.relations.length > 0 && (r.wellFormed || r.chance(0.9))
    ? r.pick(table.relations)
    : undefined;
  const target = ctx.tables.find((t) => t.name === relation?.table) ?? r.pick(ctx.tables);
  const name = relation?.table ??
    r.pick(["tenants", "pg_authid", "private.schema_info", "data_sources", "nope", target.name]);
  const hint = r.weighted<string>([
    [6, ""],
    [1, `!${relation?.constraint ?? "nope_fkey"}`],
    [1, `!${relation?.column ?? "id"}`],
    [1, "!inner"],
    [1, "!left"],
    [1, `!${relation?.constraint ?? "x"}!inner`],
    [r.bad(1), `!${randomString(r, 6)}`],
  ]);
  const prefix = r.weighted<string>([[6, ""], [2, `${alias(r)}:`], [1, "..."]]);
  return `${prefix}${name}${hint}(${selectList(r, ctx, target, depth)})`;
}

function selectList(r: Prng, ctx: FuzzContext, table: FuzzTable, depth: number): string {
  if (depth === 0 && r.chance(0.01)) {
    // Wider than MAX_SELECT_ITEMS allows.
    return r.times(r.pick([499, 501, 1700]), (i) => `a${i}:${r.pick(table.columns).name}`).join(",");
  }
  const n = r.weighted<number>([[2, 0], [10, r.int(1, 4)], [depth === 0 ? 3 : 0.5, r.int(5, 20)]]);
  return r.times(n, () => selectItem(r, ctx, table, depth)).join(r.chance(0.05) ? ", " : ",");
}

/** A chain of embeds deeper than the limit allows (or just within it). */
function deepEmbed(r: Prng, ctx: FuzzContext, table: FuzzTable): string {
  const depth = r.pick([7, 8, 9, 12, 40]);
  let current = table;
  const names: string[] = [];
  for (let i = 0; i < depth; i++) {
    const relation = current.relations.length > 0 ? r.pick(current.relations) : undefined;
    if (relation === undefined) break;
    names.push(relation.table);
    current = ctx.tables.find((t) => t.name === relation.table) ?? current;
  }
  return names.reduceRight((inner, name) => `id,${name}(${inner})`, "id,tenant_id");
}

function operatorExpression(r: Prng, ctx: FuzzContext, logic: boolean): string {
  const negate = r.chance(0.15) ? "not." : "";
  const op = r.weighted<string>([
    [20, r.pick(OPERATORS)],
    [r.bad(1), r.pick(["eqq", "", "EQ", "not", "sql", "eq(any)", "like(all)", "eq(none)", "fts(english)"])],
    [
      1,
      `${r.pick(["fts", "plfts", "wfts"])}(${
        r.pick(
          r.wellFormed ? ["english", "simple", "german"] : ["english", "simple", "pg_catalog.english", "x'y"],
        )
      })`,
    ],
    [1, `${r.pick(["eq", "like", "gt", "ilike"])}(${r.pick(["any", "all"])})`],
  ]);
  let value: string;
  if (op === "in" || op.endsWith("(any)") || op.endsWith("(all)")) {
    const items = r.times(r.int(0, 5), () => {
      const item = anyValue(r, ctx, "filter");
      return r.wellFormed || r.chance(0.5)
        ? `"${item.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`
        : item;
    });
    value = r.chance(r.bad(0.1)) ? `(${items.join(",")}` : `(${items.join(",")})`;
    if (op.endsWith(")") && op !== "in") value = `{${items.join(",")}}`;
  } else if (op === "is") {
    value = r.pick([
      "null",
      "not_null",
      "true",
      "false",
      "unknown",
      "NULL",
      "nul",
      "1",
      anyValue(r, ctx, "filter"),
    ]);
  } else if (["cs", "cd", "ov"].includes(op)) {
    value = r.pick(["{a,b}", "{}", '{"a":1}', "[1,10)", "{{1}}", "{a", anyValue(r, ctx, "filter")]);
  } else if (op === "match" || op === "imatch") {
    value = r.pick([
      "^a",
      "(a+)+$",
      "[",
      "(?i)x",
      "\\",
      "a{1,99999}",
      ".*".repeat(50),
      anyValue(r, ctx, "filter"),
    ]);
  } else if (op.includes("fts")) {
    value = r.pick(["word", "a & b", "'a' & | !", "!!!", "a <-> b", "a:*", anyValue(r, ctx, "filter")]);
  } else {
    value = anyValue(r, ctx, "filter");
  }
  if (logic && (r.wellFormed || r.chance(0.5))) {
    value = `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  }
  return `${negate}${op}.${value}`;
}

function filterKey(r: Prng, table: FuzzTable): string {
  return r.weighted<() => string>([
    [10, () => columnName(r, table)],
    [3, () => `${columnName(r, table)}${jsonPath(r)}`],
    [2, () => {
      const relation = table.relations.length > 0 ? r.pick(table.relations) : undefined;
      return `${relation?.table ?? "nope"}.${relation ? "id" : "x"}`;
    }],
    [
      r.bad(1),
      () => r.pick(["", "not", "a.b.c.d", "tenant_id", "select", "limit", "order", ".", "..", "id.", "é"]),
    ],
  ])();
}

/** A value of the column's type, as PostgREST text: hostile where the type allows it (text). */
function typedValue(r: Prng, ctx: FuzzContext, table: FuzzTable, column: FuzzColumn): string {
  switch (column.type) {
    case "uuid": {
      const target = column.name === "id" ? table.name : table.foreignKeys[column.name];
      const own = target === undefined ? [] : ctx.own.rows[target] ?? [];
      return r.weighted<() => string>([
        [3, () => own.length > 0 ? r.pick(own) : randomUuid(r)],
        [3, () => r.pick([...ctx.foreignRows, ...Object.values(ctx.otherTenants)])],
        [1, () => ctx.own.id],
        [1, () => randomUuid(r)],
      ])();
    }
    case "int4":
    case "int8":
    case "numeric":
      return r.pick([
        "0",
        "1",
        "-1",
        "7",
        "2147483648",
        "9223372036854775808",
        "1e10",
        "0.5",
        "NaN",
        "Infinity",
      ]);
    case "bool":
      return r.pick(["true", "false"]);
    case "timestamptz":
    case "date":
      return r.pick([
        "2024-01-01",
        "2026-01-12T17:16:00Z",
        "infinity",
        "-infinity",
        "2026-01-12 17:16:00+02",
      ]);
    default:
      return anyValue(r, ctx, "filter");
  }
}

/** Quotes an item of an `in` list or a logic tree value (PostgREST's double quotes and backslashes). */
function quoted(text: string): string {
  return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** A filter an operator of the column's type accepts, with a hostile value where the type allows. */
function typedFilter(r: Prng, ctx: FuzzContext, table: FuzzTable): [string, string] {
  const column = r.pick(table.columns);
  const not = r.chance(0.15) ? "not." : "";
  const value = () => typedValue(r, ctx, table, column);
  if (column.type === "jsonb" || column.type === "json") {
    return r.chance(0.5)
      ? [
        `${column.name}->>${r.pick(JSON_KEYS)}`,
        `${not}${r.pick(["eq", "like", "ilike", "neq"])}.${anyValue(r, ctx, "filter")}`,
      ]
      : [column.name, `${not}${r.pick(["cs", "cd"])}.${JSON.stringify(randomJson(r, 2))}`];
  }
  if (column.type.startsWith("_")) {
    const items = r.times(r.int(0, 3), () => quoted(anyValue(r, ctx, "filter")));
    return [column.name, `${not}${r.pick(["cs", "cd", "ov"])}.{${items.join(",")}}`];
  }
  const ops = column.type === "text"
    ? [
      "eq",
      "neq",
      "gt",
      "lt",
      "like",
      "ilike",
      "match",
      "imatch",
      "in",
      "is",
      "fts",
      "plfts",
      "phfts",
      "wfts",
      "isdistinct",
    ]
    : column.type === "bool"
    ? ["eq", "neq", "is", "isdistinct"]
    : ["eq", "neq", "gt", "gte", "lt", "lte", "in", "is", "isdistinct"];
  const op = r.pick(ops);
  if (op === "in") {
    return [
      column.name,
      `${not}in.(${r.times(r.int(1, 4), () => quoted(value())).join(",")})`,
    ];
  }
  if (op === "is") {
    return [column.name, `${not}is.${r.pick(["null", "not_null", "true", "false", "unknown"])}`];
  }
  if (["eq", "like", "ilike", "gt", "lt"].includes(op) && r.chance(0.15)) {
    // A quantified operator over a list.
    return [
      column.name,
      `${not}${op}(${r.pick(["any", "all"])}).{${r.times(r.int(1, 3), () => quoted(value())).join(",")}}`,
    ];
  }
  return [column.name, `${not}${op}.${value()}`];
}

function logicTree(r: Prng, ctx: FuzzContext, table: FuzzTable, depth: number): string {
  const n = r.int(depth > 20 ? 1 : 0, depth > 20 ? 1 : 4);
  const items = r.times(n, () => {
    if (depth > 0 && r.chance(depth > 20 ? 1 : 0.3)) {
      return `${r.chance(0.2) ? "not." : ""}${r.pick(["and", "or"])}${logicTree(r, ctx, table, depth - 1)}`;
    }
    if (r.wellFormed) {
      const [key, expression] = typedFilter(r, ctx, table);
      // In a tree a value ends at "," or ")": quote it.
      const dot = expression.indexOf(".", expression.startsWith("not.") ? 4 : 0);
      const operator = expression.slice(0, dot);
      const rest = expression.slice(dot + 1);
      const value = /^(in|.*\((any|all)\))$/.test(operator.replace(/^not\./, "")) || /^[({]/.test(rest) ||
          operator.endsWith("is")
        ? rest
        : quoted(rest);
      return `${key}.${operator}.${value}`;
    }
    return `${columnName(r, table)}.${operatorExpression(r, ctx, true)}`;
  });
  return `(${items.join(",")})`;
}

function orderTerms(r: Prng, table: FuzzTable): string {
  const n = r.weighted<number>([[10, r.int(1, 3)], [1, 0], [0.3, r.int(49, 60)]]);
  return r.times(n, () => {
    const field = r.chance(0.15) ? `${columnName(r, table)}${jsonPath(r)}` : columnName(r, table);
    const direction = r.weighted<string>([
      [3, ""],
      [2, ".asc"],
      [2, ".desc"],
      [r.bad(1), ".sideways"],
      [r.bad(1), ".desc;drop"],
    ]);
    const nulls = r.weighted<string>([
      [4, ""],
      [1, ".nullsfirst"],
      [1, ".nullslast"],
      [r.bad(0.3), ".nullsmiddle"],
    ]);
    return `${field}${direction}${nulls}`;
  }).join(",");
}

const COUNTS: readonly string[] = [
  "0",
  "1",
  "10",
  "1000",
  "10000",
  "10001",
  "1000000",
  "1000001",
  "999999999999",
  "99999999999999999999999999",
  "-1",
  "-0",
  "1e3",
  "1.5",
  "0x10",
  " 5",
  "5 ",
  "",
  "abc",
  "١٠",
  "+1",
  "NaN",
];

function queryParams(r: Prng, ctx: FuzzContext, table: FuzzTable, method: string): [string, string][] {
  const params: [string, string][] = [];
  if (r.chance(0.7)) {
    params.push(["select", r.chance(0.05) ? deepEmbed(r, ctx, table) : selectList(r, ctx, table, 0)]);
  }
  const filters = r.weighted<number>([[6, r.int(0, 3)], [2, r.int(4, 10)]]);
  for (let i = 0; i < filters; i++) {
    params.push(
      r.wellFormed ? typedFilter(r, ctx, table) : [filterKey(r, table), operatorExpression(r, ctx, false)],
    );
  }
  if (r.chance(0.005)) {
    // More conditions than MAX_CONDITIONS allows (or just as many).
    for (let i = r.pick([0, 1, 2]); i < 1001; i++) params.push([r.pick(table.columns).name, `neq.${i}`]);
  }
  if (r.chance(0.2)) {
    const depth = r.weighted<number>([[10, r.int(0, 3)], [2, r.int(7, 9)], [1, r.pick([20, 200])]]);
    const key = r.weighted<string>([[4, "or"], [4, "and"], [1, "not.or"], [1, "not.and"], [
      1,
      "contacts.or",
    ]]);
    params.push([key, logicTree(r, ctx, table, depth)]);
  }
  if (r.chance(0.3)) {
    params.push([r.chance(0.15) ? `${columnName(r, table)}.order` : "order", orderTerms(r, table)]);
  }
  const counts = r.wellFormed ? ["0", "1", "10", "1000", "10000", "100", "999999"] : COUNTS;
  if (r.chance(0.3)) params.push([r.chance(r.bad(0.1)) ? "contacts.limit" : "limit", r.pick(counts)]);
  if (r.chance(0.15)) params.push([r.chance(r.bad(0.1)) ? "contacts.offset" : "offset", r.pick(counts)]);
  if (method === "POST" || r.chance(0.03)) {
    if (r.chance(0.3)) {
      params.push([
        "on_conflict",
        r.times(r.int(0, 3), () => columnName(r, table)).join(","),
      ]);
    }
    if (r.chance(0.2)) params.push(["columns", r.times(r.int(0, 5), () => columnName(r, table)).join(",")]);
  }
  if (r.chance(r.bad(0.05))) params.push([randomString(r, 8), randomString(r, 12)]);
  if (r.chance(0.05) && params.length > 0) params.push(r.pick(params)); // a repeated parameter
  // Shuffle a little: the parser must not care about order.
  if (r.chance(0.3)) params.sort(() => r.next() - 0.5);
  return params;
}

// ---------------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------------

const encoder = new TextEncoder();

/** RFC 3986's unreserved characters, which never need encoding. */
function unreserved(ch: string): boolean {
  return /^[A-Za-z0-9_.~-]$/.test(ch);
}

/** Percent-encodes UTF-8 (lone surrogates become U+FFFD, as the URL standard does) except `keep`. */
function percentEncode(text: string, keep: (ch: string) => boolean): string {
  return text.toWellFormed().replace(/[^]/gu, (ch) => keep(ch) ? ch : encodeURIComponent(ch));
}

const BROKEN_ESCAPES: readonly string[] = [
  "%",
  "%G1",
  "%FF%FE",
  "%C0%AF",
  "%ED%A0%80",
  "%00",
  "%E2%82",
  "%%",
  "%2",
];

/**
 * The longest query string the generator sends: a huge value percent-encoded grows up to 12 times (an
 * astral character is 4 UTF-8 bytes of `%XX`), and a URL of hundreds of kilobytes tests nothing that 64 KiB
 * does not, while it slows every run that draws it.
 */
export const MAX_QUERY_LENGTH = 64 * 1024;
/** The longest percent-encoded path segment the generator makes up. */
export const MAX_PATH_SEGMENT_LENGTH = 1024;

/** Cuts percent-encoded text to `max` characters, never inside a `%XX` escape. */
function capEncoded(text: string, max = MAX_QUERY_LENGTH): string {
  if (text.length <= max) return text;
  return text.slice(0, max).replace(/%[0-9A-Fa-f]?$/, "");
}

function encodeQuery(r: Prng, params: [string, string][]): { query: string; raw: Uint8Array | null } {
  const mode = r.weighted<string>([[14, "standard"], [5, "minimal"], [r.bad(1), "broken"], [
    r.bad(1),
    "raw",
  ]]);
  const keep = mode === "standard"
    ? unreserved
    : (ch: string) => ch >= "!" && ch <= "~" && !"&#%+=".includes(ch);
  let query = capEncoded(
    params.map(([k, v]) => `${percentEncode(k, keep)}=${percentEncode(v, keep)}`).join("&"),
  );
  if (mode === "broken") {
    const at = r.int(0, query.length);
    query = `${query.slice(0, at)}${r.pick(BROKEN_ESCAPES)}${query.slice(at)}`;
  }
  if (mode !== "raw") return { query, raw: null };
  // Bytes that are not UTF-8 and not percent-encoded, straight into the request line.
  const bytes = [...encoder.encode(query)];
  const at = r.int(0, bytes.length);
  const junk = r.pick([[0xff], [0xfe, 0xff], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80], [0x00], [
    0x7f,
  ]]);
  return { query, raw: new Uint8Array([...bytes.slice(0, at), ...junk, ...bytes.slice(at)]) };
}

// ---------------------------------------------------------------------------------------------------
// Headers and bodies
// ---------------------------------------------------------------------------------------------------

const PREFER_TOKENS: readonly string[] = [
  "return=representation",
  "return=minimal",
  "return=headers-only",
  "return=everything",
  "count=exact",
  "count=planned",
  "count=estimated",
  "count=all",
  "resolution=merge-duplicates",
  "resolution=ignore-duplicates",
  "resolution=overwrite",
  "missing=default",
  "missing=null",
  "handling=strict",
  "handling=lenient",
  "tx=rollback",
  "tx=commit",
  "timezone=UTC",
  "timezone=Europe/Berlin",
  "timezone=x'y",
  "max-affected=0",
  "max-affected=1",
  "max-affected=-1",
  "max-affected=99999999999999999",
  "params=single-object",
  "return=representation; drop table accounts",
  "count=exact'--",
  "",
];

const RANGES: readonly string[] = [
  "0-9",
  "0-0",
  "5-",
  "-5",
  "0-99999999999",
  "99999999999999999999-",
  "9-0",
  "a-b",
  "items=0-9",
  "items 0-9",
  "0-9,20-29",
  "",
  "0--1",
  "1000000-1000010",
  "1000001-",
  "0-10000",
  "0-10001",
];

const ACCEPTS: readonly string[] = [
  "application/json",
  "application/vnd.pgrst.object+json",
  "application/vnd.pgrst.object+json;nulls=stripped",
  "application/vnd.pgrst.array+json;nulls=stripped",
  "text/csv",
  "application/geo+json",
  "application/vnd.pgrst.plan+json",
  'application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose|settings',
  "application/vnd.pgrst.plan",
  "application/openapi+json",
  "*/*",
  "text/*",
  "text/html",
  "application/json;q=0",
  "application/json, text/csv;q=0.5",
  "application/octet-stream",
  "garbage",
  "",
  ";;;,,,",
];

const CONTENT_TYPES: readonly string[] = [
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=latin1",
  "application/json;charset=UTF-16",
  "text/csv",
  "application/x-www-form-urlencoded",
  "text/plain",
  "application/octet-stream",
  "multipart/form-data; boundary=x",
  "application/vnd.pgrst.object+json",
  "garbage",
  "",
];

const PROFILES: readonly string[] = [
  "public",
  "private",
  "pg_catalog",
  "auth",
  "extensions",
  "information_schema",
  "",
  "public,private",
  "PUBLIC",
  "public'--",
];

function headers(r: Prng, ctx: FuzzContext): [string, string | Uint8Array][] {
  const out: [string, string | Uint8Array][] = [];
  const wf = r.wellFormed;
  if (r.chance(0.4)) {
    const valid = PREFER_TOKENS.filter((t) =>
      /^[a-z-]+=[\w/-]+$/.test(t) && !/everything|all|overwrite|null|-1|x'y/.test(t)
    );
    const tokens = r.times(
      r.int(1, 4),
      () => wf ? r.pick(valid) : r.chance(0.1) ? randomString(r, 16) : r.pick(PREFER_TOKENS),
    );
    out.push(["prefer", tokens.join(wf ? ", " : r.pick([",", ", ", ";", " "]))]);
  }
  if (r.chance(0.12)) out.push(["range", r.pick(wf ? ["0-9", "0-0", "5-", "0-999", "10-20"] : RANGES)]);
  if (r.chance(r.bad(0.05))) out.push(["range-unit", r.pick(["items", "bytes", "", "rows;drop"])]);
  if (r.chance(0.3)) {
    out.push([
      "accept",
      r.pick(wf ? ["application/json", "application/vnd.pgrst.object+json", "*/*"] : ACCEPTS),
    ]);
  }
  if (r.chance(r.bad(0.3))) out.push(["content-type", r.pick(CONTENT_TYPES)]);
  if (r.chance(r.bad(0.05))) out.push([r.pick(["accept-profile", "content-profile"]), r.pick(PROFILES)]);
  if (r.chance(0.08)) {
    out.push([
      "x-tenant-id",
      r.weighted<string>([
        [3, r.pick([ctx.own.slug, ctx.own.id, ctx.own.slug.toUpperCase(), ` ${ctx.own.slug} `])],
        [r.bad(3), r.pick([...Object.keys(ctx.otherTenants), ...Object.values(ctx.otherTenants)])],
        [r.bad(1), randomUuid(r)],
        [r.bad(1), r.pick(INJECTIONS)],
        [r.bad(1), `${ctx.own.slug},${r.pick(Object.keys(ctx.otherTenants))}`],
        [r.bad(0.3), "x".repeat(10_000)],
      ]),
    ]);
  }
  if (r.chance(0.03)) {
    out.push([
      r.pick([
        "x-http-method-override",
        "x-method-override",
        "x-forwarded-for",
        "cookie",
        "x-client-info",
        "x-role",
      ]),
      r.pick([
        "DELETE",
        "service_role",
        "127.0.0.1",
        "sb-access-token=x",
        "supabase-js/2.119.0",
        randomString(r),
      ]),
    ]);
  }
  if (r.chance(r.bad(0.01))) out.push(["x-fuzz-big", "y".repeat(r.pick([8_000, 70_000]))]);
  if (r.chance(r.bad(0.02))) {
    // Raw bytes in a header value: Latin-1 / invalid UTF-8 as it arrives on the wire.
    out.push([
      r.pick(["x-tenant-id", "prefer", "accept", "range"]),
      new Uint8Array([0x67, 0xff, 0xc3, 0x28, 0x80]),
    ]);
  }
  return out;
}

function objectBody(r: Prng, ctx: FuzzContext, table: FuzzTable): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const n = r.weighted<number>([[6, r.int(1, 4)], [2, r.int(5, 12)], [1, 0]]);
  for (let i = 0; i < n; i++) {
    if (r.chance(r.bad(0.08))) {
      const key = r.pick([
        "nope",
        "",
        "Name",
        "name); drop table accounts;--",
        "é",
        "tenant_id\u0000",
        randomString(r, 8),
      ]);
      object[key] = anyValue(r, ctx, "body");
    } else {
      const column = r.pick(table.columns);
      object[column.name] = jsonValue(r, ctx, table, column);
    }
  }
  return object;
}

function nested(r: Prng, depth: number): string {
  const [open, close] = r.pick([['{"a":', "}"], ["[", "]"]]);
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
}

/** A request body: usually JSON rows of the table, often broken, sometimes huge or not UTF-8. */
function body(r: Prng, ctx: FuzzContext, table: FuzzTable): string | Uint8Array | undefined {
  const json = (value: unknown) => JSON.stringify(value);
  return r.weighted<() => string | Uint8Array | undefined>([
    [40, () => json(objectBody(r, ctx, table))],
    [14, () => json(r.times(r.int(0, 20), () => objectBody(r, ctx, table)))],
    [
      3,
      () =>
        json({
          ...objectBody(r, ctx, table),
          [r.pick(table.columns).name]: JSON.parse(nested(r, r.pick([10, 63, 64, 65, 100]))),
        }),
    ],
    [r.bad(1), () => `{"${r.pick(table.columns).name}":${nested(r, r.pick([1_000, 50_000]))}}`],
    [4, () => json({ [r.pick(table.columns).name]: hugeString(r), name: hugeString(r) })],
    [r.bad(0.6), () => json({ name: "x".repeat(MAX_BODY_BYTES + r.int(1, 100_000)) })],
    [r.bad(8), () => {
      const text = json(objectBody(r, ctx, table));
      return r.pick([
        text.slice(0, r.int(0, text.length - 1)),
        text.replace("{", "{,"),
        text.replaceAll('"', "'"),
        `${text.slice(0, -1)},}`,
        "{NaN: Infinity}",
        "/* comment */ {}",
        '{"a":1}{"b":2}',
        "[1, 2, 3]",
        '"just a string"',
      ]);
    }],
    [r.bad(4), () => {
      const text = encoder.encode(json(objectBody(r, ctx, table)));
      const at = r.int(0, text.length);
      const junk = r.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80]]);
      return new Uint8Array([...text.slice(0, at), ...junk, ...text.slice(at)]);
    }],
    [4, () => {
      const column = r.pick(table.columns).name;
      return r.pick([
        `{"${column}":"a\\u0000b"}`,
        `{"${column}":"\\ud800"}`,
        `{"${column}":"\\udfff\\ud800"}`,
        `{"${column}\\u0000":1}`,
        `{"${column}":1e400}`,
        `{"${column}":-1e400}`,
        `{"${column}":123456789012345678901234567890}`,
      ]);
    }],
    [r.bad(3), () => r.pick(["", "null", "[]", "{}", "123", '"str"', "true", "[null]", "[[]]", "[{}]"])],
    [r.bad(1), () => `\ufeff${json(objectBody(r, ctx, table))}`],
    [2, () => {
      const column = r.pick(table.columns).name;
      return `{"${column}":1,"${column}":"two","tenant_id":"${ctx.own.id}","tenant_id":"${
        r.pick(Object.values(ctx.otherTenants))
      }"}`;
    }],
    [r.bad(2), () => r.pick(["name=x&tenant_id=y", "name,tenant_id\nx,y", "<xml/>", "\u0000\u0000"])],
  ])();
}

// ---------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------

const WEIRD_PATHS: readonly string[] = [
  "/rest/v1/",
  "/rest/v1",
  "/rest/v1/private.schema_info",
  "/rest/v1/pg_catalog.pg_authid",
  "/rest/v1/..%2f..%2fhealth",
  "/rest/v1/../../health",
  "/rest/v1/accounts/extra",
  "/rest/v1/%00",
  "/rest/v1/%ZZ",
  "/rest/v1/accounts%20",
  "/rest/v1/ACCOUNTS",
  '/rest/v1/"accounts"',
  "/rest/v1/accounts;drop table accounts",
  "/rest/v1/schema_info",
  "/rest/v1/tenants",
  "/rest/v1/%E2%80%AEstnuocca",
  "/rest/v2/accounts",
  "//rest/v1/accounts",
  "/rest/v1//accounts",
  "/health",
  "/",
  "",
  "/rest/v1/rpc/pg_sleep",
  "/rest/v1/rpc/",
  "/rest/v1/rpc/set_config",
  "/rest/v1/rpc/private.request_tenant_id",
];

/**
 * A well-formed write or read aimed at another tenant's rows in the caller's database: an upsert on their
 * id, an update or delete filtered on their ids, a read filtered on their tenant. RLS must leave all of it
 * untouched and invisible.
 */
function crossTenant(
  r: Prng,
  ctx: FuzzContext,
  table: FuzzTable,
): Partial<FuzzRequest> & { params: [string, string][] } {
  const foreign = ctx.sameDatabaseForeignRows[table.name] ?? [];
  const theirs = () => foreign.length > 0 ? r.pick(foreign) : randomUuid(r);
  const name = table.columns.find((c) => c.type === "text" && c.name !== "id")?.name ?? "id";
  const other = r.pick(Object.values(ctx.otherTenants));
  return r.pick<() => Partial<FuzzRequest> & { params: [string, string][] }>([
    () => ({
      method: "POST",
      params: [["on_conflict", "id"], ["select", "*"]],
      headers: [[
        "prefer",
        `resolution=${r.pick(["merge-duplicates", "ignore-duplicates"])},return=representation`,
      ]],
      body: JSON.stringify(
        r.times(r.int(1, 3), () => ({ id: theirs(), [name]: "fuzz: upsert over another tenant" })),
      ),
    }),
    () => ({
      method: "PATCH",
      params: [["id", `in.(${r.times(r.int(1, 4), theirs).join(",")})`], ["select", "*"]],
      headers: [["prefer", "return=representation"]],
      body: JSON.stringify({ [name]: "fuzz: update of another tenant" }),
    }),
    () => ({
      method: "DELETE",
      params: [["id", `eq.${theirs()}`]],
      headers: [["prefer", "return=representation,count=exact"]],
    }),
    () => ({ method: "GET", params: [["or", `(tenant_id.eq.${other},id.eq.${theirs()})`], ["select", "*"]] }),
    () => ({ method: "GET", params: [["tenant_id", `neq.${ctx.own.id}`], ["select", "id,tenant_id"]] }),
    () => ({
      method: "PATCH",
      params: [["id", `eq.${r.pick(ctx.own.rows[table.name] ?? [theirs()])}`]],
      headers: [["prefer", "return=representation"]],
      body: JSON.stringify({ tenant_id: other }),
    }),
  ])();
}

/** Generates request `index` of the run seeded with `seed`. */
export function generateRequest(ctx: FuzzContext, seed: number, index: number): FuzzRequest {
  const r = new Prng(requestSeed(seed, index));
  r.wellFormed = r.chance(0.5);
  const method = r.weighted<string>([
    [40, "GET"],
    [7, "HEAD"],
    [20, "POST"],
    [12, "PATCH"],
    [8, "DELETE"],
    [r.bad(3), "PUT"],
    [r.bad(2), "OPTIONS"],
    [r.bad(1), r.pick(["FOO", "PROPFIND", "get", "TRACE", "CONNECT", "M-SEARCH", "PATCH ", "DELETE\u0000"])],
  ]);
  const table = r.pick(ctx.tables);
  const pathKind = r.weighted<string>([[88, "table"], [r.bad(4), "rpc"], [r.bad(8), "weird"]]);
  let path = `/rest/v1/${table.name}`;
  if (pathKind === "rpc") {
    path = `/rest/v1/rpc/${r.pick(["search", table.name, "pg_sleep", randomString(r, 8)])}`;
  }
  if (pathKind === "weird") {
    path = r.chance(0.85)
      ? r.pick(WEIRD_PATHS)
      : `/rest/v1/${capEncoded(percentEncode(randomString(r, 40), unreserved), MAX_PATH_SEGMENT_LENGTH)}`;
  }
  const scenario = r.wellFormed && pathKind === "table" && r.chance(0.1)
    ? crossTenant(r, ctx, table)
    : undefined;
  const params = scenario?.params ?? queryParams(r, ctx, table, method);
  const { query, raw } = encodeQuery(r, params);
  const target = `${path}${query === "" && r.chance(0.5) ? "" : `?${query}`}`;
  const request: FuzzRequest = {
    kind: pathKind === "table"
      ? `${raw ? "raw-bytes" : method === "GET" || method === "HEAD" ? "read" : "write"}${
        r.wellFormed ? " (well-formed)" : ""
      }`
      : pathKind,
    method,
    target: raw ? new Uint8Array([...encoder.encode(`${path}?`), ...raw]) : target,
    headers: headers(r, ctx),
    auth: r.weighted<FuzzAuth>([
      [94, "user"],
      [r.bad(1), "none"],
      [r.bad(1), "garbage"],
      [r.bad(1), "expired"],
      [r.bad(1), "stranger"],
      [1, "role_claim"],
      [r.bad(0.5), "alg_none"],
      [r.bad(0.5), "basic"],
    ]),
    apikey: r.weighted<FuzzRequest["apikey"]>([
      [96, "anon"],
      [r.bad(1), "none"],
      [2, "service_role"],
      [r.bad(0.5), "garbage"],
      [r.bad(0.5), "user_token"],
    ]),
  };
  if (method === "POST" || method === "PATCH" || method === "PUT" || r.chance(r.bad(0.03))) {
    const generated = body(r, ctx, table);
    if (generated !== undefined) request.body = generated;
    if (!request.headers.some(([name]) => name === "content-type") && (r.wellFormed || r.chance(0.9))) {
      request.headers.push(["content-type", "application/json"]);
    }
  }
  if (scenario) {
    request.kind = "cross-tenant (well-formed)";
    request.method = scenario.method ?? method;
    request.headers = [...(scenario.headers ?? []), ["content-type", "application/json"]];
    if (scenario.body === undefined) delete request.body;
    else request.body = scenario.body;
  }
  if (r.chance(r.bad(0.01)) && request.body !== undefined) {
    // Framing that lies: the announced length is shorter or longer than what is sent.
    const length = typeof request.body === "string"
      ? encoder.encode(request.body).length
      : request.body.length;
    request.contentLength = r.pick([0, Math.max(0, length - 5), length + 10, length + 100_000]);
    request.kind = "framing";
  }
  return request;
}
