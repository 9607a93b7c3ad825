/**
 * A steady writer for the move benchmark, taking the gateway's write path without HTTP: every `everyMs`
 * it reads the tenant's routing and freeze from the application database (a gateway with a fresh
 * directory), refuses the write while the tenant is frozen (503 TR504), and otherwise writes in the routed
 * database under the tenant's write fence, as the gateway does (a write meeting the move's fence is refused
 * too). Inserts a contact, renames the previous one, deletes every tenth: inserts, updates and deletes.
 *
 * @module
 */
import postgres from "postgres";
import { writeFenceKey } from "../functions/_shared/tenancy/write_fence.ts";

/** One attempt. */
export interface WriteAttempt {
  /** `performance.now()` when it began. */
  at: number;
  ok: boolean;
}

/** What the writer did. */
export interface WriterReport {
  attempts: WriteAttempt[];
  /** Contacts it inserted and did not delete: they must be in the tenant's database, once each. */
  kept: Set<string>;
  /** Contacts it deleted: they must be gone. */
  deleted: Set<string>;
  /** Unexpected errors (not a refusal). */
  errors: string[];
}

/** A running writer; `stop()` ends it and reports. */
export interface MoveWriter {
  stop(): Promise<WriterReport>;
}

/** Starts writing for the tenant; `urls` maps data source ids to database URLs. */
export function startMoveWriter(options: {
  app: postgres.Sql;
  tenantId: string;
  urls: ReadonlyMap<string, string>;
  everyMs?: number;
}): MoveWriter {
  const everyMs = options.everyMs ?? 20;
  const pools = new Map<string, postgres.Sql>();
  const pool = (id: string) => {
    let sql = pools.get(id);
    if (sql === undefined) {
      sql = postgres(options.urls.get(id)!, { max: 2, onnotice: () => {} });
      pools.set(id, sql);
    }
    return sql;
  };
  const report: WriterReport = { attempts: [], kept: new Set(), deleted: new Set(), errors: [] };
  let stopped = false;
  let previous: string | undefined;
  let count = 0;
  const loop = (async () => {
    while (!stopped) {
      const at = performance.now();
      report.attempts.push({ at, ok: await writeOnce() });
      const wait = everyMs - (performance.now() - at);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();

  async function writeOnce(): Promise<boolean> {
    const [tenant] = await options.app<{ data_source_id: string; frozen: boolean }[]>`
      select data_source_id,
             writes_frozen_at is not null and coalesce(writes_frozen_until > now(), true) as frozen
      from public.tenants where id = ${options.tenantId}`;
    if (tenant === undefined || tenant.frozen) return false;
    const id = crypto.randomUUID();
    const n = ++count;
    try {
      await pool(tenant.data_source_id).begin(async (tx) => {
        await tx`select 1 / pg_try_advisory_xact_lock_shared(hashtextextended(${
          writeFenceKey(options.tenantId)
        }, 0))::int`;
        await tx`insert into public.contacts (id, tenant_id, name) values (${id}, ${options.tenantId}, ${`Writer ${n}`})`;
        if (previous !== undefined) {
          await tx`update public.contacts set name = ${`Writer ${n - 1} renamed`} where id = ${previous}`;
        }
        if (n % 10 === 0 && previous !== undefined) {
          await tx`delete from public.contacts where id = ${previous}`;
        }
      });
    } catch (error) {
      if ((error as { code?: string }).code === "22012") return false; // the move's write fence
      report.errors.push(String((error as Error).message ?? error).slice(0, 200));
      return false;
    }
    if (n % 10 === 0 && previous !== undefined) {
      report.kept.delete(previous);
      report.deleted.add(previous);
    }
    report.kept.add(id);
    previous = id;
    return true;
  }

  return {
    async stop() {
      stopped = true;
      await loop;
      for (const sql of pools.values()) await sql.end();
      return report;
    },
  };
}

/**
 * The longest time writes were refused, as the writer saw it: from the first refused attempt of a run of
 * refusals to the next attempt that succeeded (milliseconds; 0 when none was refused).
 */
export function longestRefusal(attempts: readonly WriteAttempt[]): number {
  let longest = 0;
  let since: number | undefined;
  for (const attempt of attempts) {
    if (!attempt.ok) since ??= attempt.at;
    else if (since !== undefined) {
      longest = Math.max(longest, attempt.at - since);
      since = undefined;
    }
  }
  return Math.round(longest);
}
