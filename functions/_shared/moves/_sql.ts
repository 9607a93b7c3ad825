// Internal: the SQL of the move engine, built from catalog names only.
//
// COPY takes no bind parameters, so the statements that stream rows carry their values as literals. The
// only values that ever reach them are read from the databases themselves (the tenant's uuid, primary keys
// the engine paged by, bucket numbers, timestamps), never request or command-line text; the one function
// that writes a literal is loudly named.
import { quoteIdentifier } from "../postgrest/sql/mod.ts";
import type { MoveTable } from "./plan_tables.ts";

/** Buckets the checksums are grouped in (12 bits of md5 of the primary key). */
export const BUCKETS = 4096;

/**
 * Session settings every connection of the engine starts with, so that the text of a value is the same
 * on both sides: COPY writes and reads it, and the checksums hash it.
 */
export const CANONICAL_SETTINGS: Readonly<Record<string, string>> = {
  TimeZone: "UTC",
  DateStyle: "ISO, YMD",
  IntervalStyle: "postgres",
  extra_float_digits: "1",
  bytea_output: "hex",
  application_name: "tenant-router-move",
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TYPE_NAME = /^[a-z_][a-z0-9_ ]*(\[\])?$/;

/** A quoted identifier: `"contacts"` (the sql stage's one quoter, with its 63-byte limit). */
export function ident(name: string): string {
  return quoteIdentifier(name);
}

/** The table's quoted, qualified name: `"public"."contacts"`. */
export function tableRef(table: MoveTable): string {
  return `${ident(table.schema)}.${ident(table.name)}`;
}

/** The copied columns, quoted and comma-separated. */
export function columnList(table: MoveTable): string {
  return table.columns.map(ident).join(", ");
}

/**
 * A literal for a statement that cannot take parameters (COPY): `'<text>'::<type>`. Only for values the
 * engine read from a database; `type` comes from the catalog.
 */
export function unsafeLiteralFromDatabase(value: string, type: string): string {
  if (value.includes("\0")) throw new TypeError("Cannot write literal: NUL");
  if (!TYPE_NAME.test(type)) throw new TypeError(`Cannot write literal: unexpected type name "${type}"`);
  return `'${value.replaceAll("'", "''")}'::${type}`;
}

/** The tenant's uuid as a literal, checked to be a uuid. */
export function tenantLiteral(tenantId: string): string {
  if (!UUID.test(tenantId)) throw new TypeError("Cannot write literal: tenant id is not a lowercase uuid");
  return `'${tenantId}'::uuid`;
}

/**
 * The bucket of a row (0 … 4095), from its primary key alone, so a changed row stays in its bucket: the
 * last three hex digits of a uuid key (random in v4 and v7 uuids, the row number in generated ones), else
 * 12 bits of the md5 of the key's text.
 */
export function bucketExpression(table: MoveTable, row?: "NEW" | "OLD"): string {
  const key = row === undefined ? ident(table.key) : `${row}.${ident(table.key)}`;
  return table.keyType === "uuid"
    ? `('x' || right(${key}::text, 3))::bit(12)::int`
    : `('x' || substr(md5(${key}::text), 1, 3))::bit(12)::int`;
}

/**
 * A row's hash as a signed 64-bit integer: the first 16 hex digits of the md5 of the row of copied
 * columns. Summed, it is an order-independent checksum of a set of rows.
 */
export function rowHashExpression(table: MoveTable): string {
  return `('x' || substr(md5(row(${columnList(table)})::text), 1, 16))::bit(64)::bigint`;
}

/** Which of the tenant's rows a statement reads or deletes. */
export interface RowRange {
  /** Rows whose key is greater than this (text of the key). */
  after?: string | null | undefined;
  /** Rows whose key is at most this. */
  through?: string | null | undefined;
  /** Rows in these buckets. */
  buckets?: readonly number[] | undefined;
  /** Rows whose `updated_at` is at or after this timestamp (text). */
  changedSince?: string | undefined;
}

/** `tenant_id = '…'::uuid and …` for the range, all literals. */
export function whereRows(table: MoveTable, tenantId: string, range: RowRange = {}): string {
  const conditions = [`${ident(table.tenantColumn)} = ${tenantLiteral(tenantId)}`];
  const key = ident(table.key);
  if (range.after != null) {
    conditions.push(`${key} > ${unsafeLiteralFromDatabase(range.after, table.keyType)}`);
  }
  if (range.through != null) {
    conditions.push(`${key} <= ${unsafeLiteralFromDatabase(range.through, table.keyType)}`);
  }
  if (range.buckets !== undefined) {
    const list = range.buckets.map((bucket) => {
      if (!Number.isInteger(bucket) || bucket < 0 || bucket >= BUCKETS) throw new RangeError("Bad bucket");
      return String(bucket);
    });
    conditions.push(`${bucketExpression(table)} = any('{${list.join(",")}}'::int[])`);
  }
  if (range.changedSince !== undefined) {
    if (table.updatedAt === null) throw new TypeError(`Table ${table.qualifiedName} has no updated_at`);
    conditions.push(
      `${ident(table.updatedAt)} >= ${unsafeLiteralFromDatabase(range.changedSince, "timestamptz")}`,
    );
  }
  return conditions.join(" and ");
}

/** `copy (select <columns> from <table> where …) to stdout`: the source side of a stream. */
export function copyOutSql(table: MoveTable, tenantId: string, range: RowRange = {}): string {
  return `copy (select ${columnList(table)} from ${tableRef(table)} where ${
    whereRows(table, tenantId, range)
  }) to stdout`;
}

/** `copy <table> (<columns>) from stdin`: the target side of a stream (or into `into`, a temp table). */
export function copyInSql(table: MoveTable, into?: string): string {
  return `copy ${into === undefined ? tableRef(table) : ident(into)} (${columnList(table)}) from stdin`;
}

/** `delete from <table> where …`: the tenant's rows of a range, at the target. */
export function deleteRowsSql(table: MoveTable, tenantId: string, range: RowRange = {}): string {
  return `delete from ${tableRef(table)} where ${whereRows(table, tenantId, range)}`;
}

/**
 * The key that ends the next batch: the `$3`-th key of the tenant (`$1`) after `$2` (null: from the
 * start), or no row when fewer remain.
 */
export function batchEndSql(table: MoveTable): string {
  const key = ident(table.key);
  return `select ${key}::text as key from ${tableRef(table)}
    where ${ident(table.tenantColumn)} = $1::uuid and ($2::text is null or ${key} > $2::text::${
    typeOrThrow(table.keyType)
  })
    order by ${key} offset $3::int - 1 limit 1`;
}

/** Count of the tenant's (`$1`) rows. */
export function countSql(table: MoveTable): string {
  return `select count(*)::bigint::text as rows from ${tableRef(table)} where ${
    ident(table.tenantColumn)
  } = $1::uuid`;
}

/** Per bucket: rows and the sum of row hashes of the tenant (`$1`). */
export function bucketChecksumSql(table: MoveTable): string {
  return `select ${bucketExpression(table)} as bucket, count(*)::int as rows, sum(${
    rowHashExpression(table)
  })::text as sum
    from ${tableRef(table)} where ${ident(table.tenantColumn)} = $1::uuid group by 1`;
}

/**
 * Per bucket of `$2` (int[]): rows and the sum of row hashes of the tenant (`$1`). Still reads every row
 * of the tenant (the bucket is not indexed) but hashes only those of the buckets.
 */
export function bucketSubsetChecksumSql(table: MoveTable): string {
  return `select ${bucketExpression(table)} as bucket, count(*)::int as rows, sum(${
    rowHashExpression(table)
  })::text as sum
    from ${tableRef(table)} where ${ident(table.tenantColumn)} = $1::uuid
      and ${bucketExpression(table)} = any($2::int[]) group by 1`;
}

/** Key (text), bucket and row hash of the tenant's (`$1`) rows whose key is in `$2` (text[]). */
export function keyHashesSql(table: MoveTable): string {
  return `select ${ident(table.key)}::text as key, ${bucketExpression(table)} as bucket, ${
    rowHashExpression(table)
  }::text as hash
    from ${tableRef(table)}
    where ${ident(table.tenantColumn)} = $1::uuid and ${ident(table.key)} = any($2::text[]::${
    typeOrThrow(table.keyType)
  }[])`;
}

/** The tenant's (`$1`) rows whose key is in `$2` (text[]), as one JSON array (text). */
export function keyRowsJsonSql(table: MoveTable): string {
  return `select coalesce(json_agg(r), '[]')::text as rows from (select ${columnList(table)} from ${
    tableRef(table)
  } where ${ident(table.tenantColumn)} = $1::uuid and ${ident(table.key)} = any($2::text[]::${
    typeOrThrow(table.keyType)
  }[])) r`;
}

/** Deletes the tenant's (`$1`) rows whose key is in `$2` (text[]). */
export function deleteKeysSql(table: MoveTable): string {
  return `delete from ${tableRef(table)} where ${ident(table.tenantColumn)} = $1::uuid and ${
    ident(table.key)
  } = any($2::text[]::${typeOrThrow(table.keyType)}[])`;
}

/** Inserts the rows of `$1` (a JSON array of {@linkcode keyRowsJsonSql}). */
export function insertJsonRowsSql(table: MoveTable): string {
  return `insert into ${tableRef(table)} (${columnList(table)}) select ${columnList(table)}
    from json_populate_recordset(null::${tableRef(table)}, $1::text::json)`;
}

/** Count of the tenant's (`$1`) rows changed at or after `$2` (timestamptz text). */
export function changedCountSql(table: MoveTable): string {
  if (table.updatedAt === null) throw new TypeError(`Table ${table.qualifiedName} has no updated_at`);
  return `select count(*)::int as rows from ${tableRef(table)}
    where ${ident(table.tenantColumn)} = $1::uuid and ${ident(table.updatedAt)} >= $2::timestamptz`;
}

/** Catch-up into the target from a staging table: delete the staged keys, insert the staged rows. */
export function mergeStagedSql(table: MoveTable, stage: string, tenantId: string): string[] {
  const key = ident(table.key);
  return [
    `delete from ${tableRef(table)} t using ${ident(stage)} s where t.${ident(table.tenantColumn)} = ${
      tenantLiteral(tenantId)
    } and t.${key} = s.${key}`,
    `insert into ${tableRef(table)} (${columnList(table)}) select ${columnList(table)} from ${ident(stage)}`,
  ];
}

/** `create temp table <stage> (like <table>) on commit drop`. */
export function createStageSql(table: MoveTable, stage: string): string {
  return `create temp table ${ident(stage)} (like ${tableRef(table)}) on commit drop`;
}

function typeOrThrow(type: string): string {
  if (!TYPE_NAME.test(type)) throw new TypeError(`Unexpected type name "${type}"`);
  return type;
}
