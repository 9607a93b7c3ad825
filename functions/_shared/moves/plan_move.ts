/**
 * The dry run of a move: what would be copied, in which order, and how many rows, without changing
 * anything.
 *
 * @module
 */
import type postgres from "postgres";
import type { Keyring } from "../crypto/mod.ts";
import { forEachLimited } from "./_concurrency.ts";
import { closeSide } from "./_databases.ts";
import { prepareMove } from "./_prepare.ts";
import { countSql } from "./_sql.ts";

/** One table of a {@linkcode MovePlan}. */
export interface MovePlanTable {
  /** `public.contacts`. */
  table: string;
  ordinal: number;
  /** Foreign-key depth: tables of one level are copied together. */
  level: number;
  /** Planned tables it references. */
  references: string[];
  /** The tenant's rows at the source now. */
  rows: number;
  /** The tenant's rows already at the target (left over from an earlier move; the copy replaces them). */
  target_rows: number;
}

/** What {@linkcode planMove} answers. */
export interface MovePlan {
  tenant: string;
  tenant_id: string;
  source: string;
  target: string;
  source_schema_version: string | null;
  target_schema_version: string | null;
  rows: number;
  tables: MovePlanTable[];
}

/** Options of {@linkcode planMove}. */
export interface PlanMoveOptions {
  keyring: Keyring;
  /** Tenant id or slug. */
  tenant: string;
  /** Data source name or id, or `default`. */
  to: string;
}

/**
 * Checks a move as {@linkcode createMove} would and counts the tenant's rows per table.
 *
 * @throws {MoveError} as `createMove` does.
 *
 * @example
 * ```ts
 * const plan = await planMove(sql, { keyring, tenant: "globex", to: "tenant_eu" });
 * console.log(plan.rows, plan.tables.map((t) => t.table));
 * ```
 */
export async function planMove(sql: postgres.Sql, options: PlanMoveOptions): Promise<MovePlan> {
  const prepared = await prepareMove(sql, { ...options, max: 4 });
  try {
    const counts = new Map<string, [number, number]>();
    await forEachLimited(prepared.tables, 4, async (table) => {
      const [[source], [target]] = await Promise.all([
        prepared.source.sql.unsafe<{ rows: string }[]>(countSql(table), [prepared.tenant.id]),
        prepared.target.sql.unsafe<{ rows: string }[]>(countSql(table), [prepared.tenant.id]),
      ]);
      counts.set(table.qualifiedName, [Number(source?.rows ?? 0), Number(target?.rows ?? 0)]);
    });
    const tables = prepared.tables.map((table) => ({
      table: table.qualifiedName,
      ordinal: table.ordinal,
      level: table.level,
      references: table.references.map((name) => `${table.schema}.${name}`),
      rows: counts.get(table.qualifiedName)![0],
      target_rows: counts.get(table.qualifiedName)![1],
    }));
    return {
      tenant: prepared.tenant.slug,
      tenant_id: prepared.tenant.id,
      source: prepared.source.dataSource.name,
      target: prepared.target.dataSource.name,
      source_schema_version: prepared.source.version,
      target_schema_version: prepared.target.version,
      rows: tables.reduce((sum, t) => sum + t.rows, 0),
      tables,
    };
  } finally {
    await closeSide(prepared.source);
    await closeSide(prepared.target);
  }
}
