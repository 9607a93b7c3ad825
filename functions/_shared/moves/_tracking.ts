// Internal: change tracking of one tenant's rows in the database its writes go to, for the length of a
// move. A trigger per table (ENABLE ALWAYS: it fires for replica sessions too) records the primary key and
// bucket of every row of the tenant inserted, updated or deleted, with the writing transaction's id, in
// `tenant_router_moves.changes`; a TRUNCATE records the whole table. Which changes a checksum taken at a
// snapshot has not seen is then exact: those whose transaction is not visible in that snapshot.
//
// The functions are SECURITY DEFINER (the move's role owns them), so the gateway's roles need no grant.
import type postgres from "postgres";
import { bucketExpression, ident, tableRef, tenantLiteral } from "./_sql.ts";
import type { MoveTable } from "./plan_tables.ts";

const SCHEMA = "tenant_router_moves";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Changes of one table since a snapshot: keys (text) and buckets, or `all` after a TRUNCATE. */
export interface TableChanges {
  keys: Set<string>;
  buckets: Set<number>;
  all: boolean;
}

/** Creates (or re-creates, idempotent) the move's triggers on every table. */
export async function installTracking(
  sql: postgres.Sql,
  moveId: string,
  tenantId: string,
  tables: readonly MoveTable[],
): Promise<void> {
  const move = checkedUuid(moveId);
  await sql.begin(async (tx) => {
    await tx.unsafe(`create schema if not exists ${SCHEMA}`);
    await tx.unsafe(`create table if not exists ${SCHEMA}.changes (
      move_id uuid not null, table_name text not null, key text, bucket int,
      xid xid8 not null default pg_current_xact_id())`);
    await tx.unsafe(`create index if not exists changes_move_id on ${SCHEMA}.changes (move_id)`);
    await tx.unsafe(`revoke all on schema ${SCHEMA} from public`);
  });
  // A transaction per table: CREATE TRIGGER waits for the table's running writes, and a writer touching
  // several tables must never wait on a lock held for another table (a deadlock, the writer's 40P01).
  for (const table of tables) {
    await sql.begin(async (tx) => {
      await tx`set local lock_timeout = '10s'`;
      for (const statement of trackingSql(table, move, tenantId)) await tx.unsafe(statement);
    });
  }
}

/** Drops the move's triggers and functions and forgets its changes; the schema goes with the last move. */
export async function dropTracking(
  sql: postgres.Sql,
  moveId: string,
  tables: readonly MoveTable[],
): Promise<void> {
  const move = checkedUuid(moveId);
  const [schema] = await sql`select 1 from pg_namespace where nspname = ${SCHEMA}`;
  if (schema === undefined) return;
  // A transaction per table, as when installing.
  for (const table of tables) {
    const names = trackingNames(table, move);
    await sql.begin(async (tx) => {
      await tx.unsafe(`drop trigger if exists ${names.trigger} on ${tableRef(table)}`);
      await tx.unsafe(`drop trigger if exists ${names.truncateTrigger} on ${tableRef(table)}`);
      await tx.unsafe(`drop function if exists ${names.rowFunction}()`);
      await tx.unsafe(`drop function if exists ${names.truncateFunction}()`);
    });
  }
  await sql.begin(async (tx) => {
    await tx.unsafe(`delete from ${SCHEMA}.changes where move_id = '${move}'::uuid`);
    // The last move tracking this database leaves nothing behind (another one's functions keep it).
    const [others] = await tx`
      select 1 from pg_proc where pronamespace = (select oid from pg_namespace where nspname = ${SCHEMA}) limit 1`;
    if (others === undefined) await tx.unsafe(`drop schema ${SCHEMA} cascade`);
  });
}

/**
 * The changes of the move not visible in `snapshot` (`pg_current_snapshot()` text), read by `sql` (its
 * own snapshot bounds them from above), per table name.
 */
export async function changesSince(
  sql: postgres.Sql | postgres.TransactionSql,
  moveId: string,
  snapshot: string,
): Promise<Map<string, TableChanges>> {
  const rows = await sql.unsafe<{ table_name: string; key: string | null; bucket: number | null }[]>(
    `select distinct table_name, key, bucket from ${SCHEMA}.changes
     where move_id = $1::uuid and not pg_visible_in_snapshot(xid, $2::pg_snapshot)`,
    [checkedUuid(moveId), snapshot],
  );
  const changes = new Map<string, TableChanges>();
  for (const row of rows) {
    let table = changes.get(row.table_name);
    if (table === undefined) {
      table = { keys: new Set(), buckets: new Set(), all: false };
      changes.set(row.table_name, table);
    }
    if (row.key === null || row.bucket === null) table.all = true;
    else {
      table.keys.add(row.key);
      table.buckets.add(row.bucket);
    }
  }
  return changes;
}

function trackingNames(table: MoveTable, move: string) {
  const tag = `${move.replaceAll("-", "").slice(0, 16)}_${table.ordinal}`;
  return {
    trigger: ident(`tenant_router_move_${tag}`),
    truncateTrigger: ident(`tenant_router_move_${tag}_t`),
    rowFunction: `${SCHEMA}.${ident(`track_${tag}`)}`,
    truncateFunction: `${SCHEMA}.${ident(`track_${tag}_t`)}`,
  };
}

function trackingSql(table: MoveTable, move: string, tenantId: string): string[] {
  const names = trackingNames(table, move);
  const tenant = tenantLiteral(tenantId);
  const name = `'${table.qualifiedName.replaceAll("'", "''")}'`;
  const tenantColumn = ident(table.tenantColumn);
  const key = ident(table.key);
  const record = (row: "NEW" | "OLD") =>
    `if ${row}.${tenantColumn} = ${tenant} then
       insert into ${SCHEMA}.changes (move_id, table_name, key, bucket)
       values ('${move}'::uuid, ${name}, ${row}.${key}::text, ${bucketExpression(table, row)});
     end if;`;
  return [
    `create or replace function ${names.rowFunction}() returns trigger
     language plpgsql security definer set search_path = pg_catalog, pg_temp as $track$
     begin
       if tg_op <> 'INSERT' then ${record("OLD")} end if;
       if tg_op <> 'DELETE' then ${record("NEW")} end if;
       return null;
     end $track$`,
    `create or replace function ${names.truncateFunction}() returns trigger
     language plpgsql security definer set search_path = pg_catalog, pg_temp as $track$
     begin
       insert into ${SCHEMA}.changes (move_id, table_name) values ('${move}'::uuid, ${name});
       return null;
     end $track$`,
    `revoke all on function ${names.rowFunction}() from public`,
    `revoke all on function ${names.truncateFunction}() from public`,
    `drop trigger if exists ${names.trigger} on ${tableRef(table)}`,
    `drop trigger if exists ${names.truncateTrigger} on ${tableRef(table)}`,
    `create trigger ${names.trigger} after insert or update or delete on ${tableRef(table)}
     for each row execute function ${names.rowFunction}()`,
    `create trigger ${names.truncateTrigger} after truncate on ${tableRef(table)}
     for each statement execute function ${names.truncateFunction}()`,
    `alter table ${tableRef(table)} enable always trigger ${names.trigger}`,
    `alter table ${tableRef(table)} enable always trigger ${names.truncateTrigger}`,
  ];
}

function checkedUuid(id: string): string {
  const lower = id.toLowerCase();
  if (!UUID.test(lower)) throw new TypeError("Not a uuid");
  return lower;
}
