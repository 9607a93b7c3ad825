/**
 * The order-independent checksum of a tenant's rows in one table, computed the same way on both sides of
 * a move, and grouped in buckets so that two sides that differ can be told where.
 *
 * Each row hashes to the first 64 bits of the md5 of its text (`row(<copied columns>)::text`, under the
 * canonical session settings every engine connection starts with: UTC, ISO dates, `extra_float_digits
 * = 1`, hex bytea); a bucket sums its rows' hashes. The table's checksum is the sum over all buckets,
 * modulo 2^64, as 16 hex digits, together with the row count. Both sides run the same SQL, so equal
 * rows give equal sums whatever their physical order.
 *
 * @module
 */
import type postgres from "postgres";
import { bucketChecksumSql, BUCKETS } from "./_sql.ts";
import type { MoveTable } from "./plan_tables.ts";

/** One side's checksums of a table: per bucket and in total. */
export interface TableChecksum {
  /** The tenant's rows in the table. */
  rows: number;
  /** The sum of every row hash, modulo 2^64, as 16 hex digits. */
  checksum: string;
  /** Per non-empty bucket (0 … 4095): rows and the sum of their hashes. */
  buckets: ReadonlyMap<number, { rows: number; sum: bigint }>;
}

const MOD = 1n << 64n;

/**
 * Computes the checksum of the tenant's rows of `table` in one statement (one snapshot).
 *
 * @example
 * ```ts
 * const [a, b] = await Promise.all([tableChecksum(source, table, tenantId), tableChecksum(target, table, tenantId)]);
 * a.rows === b.rows && a.checksum === b.checksum; // verified
 * ```
 */
export async function tableChecksum(
  sql: postgres.Sql,
  table: MoveTable,
  tenantId: string,
): Promise<TableChecksum> {
  const rows = await sql.unsafe<{ bucket: number; rows: number; sum: string }[]>(
    bucketChecksumSql(table),
    [tenantId],
  );
  const buckets = new Map<number, { rows: number; sum: bigint }>();
  let count = 0;
  let total = 0n;
  for (const row of rows) {
    const sum = BigInt(row.sum);
    buckets.set(row.bucket, { rows: row.rows, sum });
    count += row.rows;
    total += sum;
  }
  return { rows: count, checksum: hex64(total), buckets };
}

/**
 * The buckets whose rows differ between two checksums of one table (sorted): a bucket missing on one side
 * counts as empty.
 *
 * @example
 * ```ts
 * differingBuckets(source, target); // [17, 2048]: copy these buckets again
 * ```
 */
export function differingBuckets(a: TableChecksum, b: TableChecksum): number[] {
  const differing: number[] = [];
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    const x = a.buckets.get(bucket);
    const y = b.buckets.get(bucket);
    if (x === undefined && y === undefined) continue;
    if (x === undefined || y === undefined || x.rows !== y.rows || x.sum !== y.sum) differing.push(bucket);
  }
  return differing;
}

/** Whether two checksums of one table agree: same rows, same sums in every bucket. */
export function checksumsMatch(a: TableChecksum, b: TableChecksum): boolean {
  return a.rows === b.rows && a.checksum === b.checksum && differingBuckets(a, b).length === 0;
}

function hex64(value: bigint): string {
  return (((value % MOD) + MOD) % MOD).toString(16).padStart(16, "0");
}
