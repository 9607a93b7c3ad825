/**
 * Benchmark of tenant moves under writes (issues #6 and #15): a generated tenant of `--rows` rows over
 * the 13 tables (default 100k and 1M, one after the other), moved `--runs` times back and forth between
 * two scratch databases on the stack's server while a writer inserts, renames and deletes a contact every
 * 20 ms through the gateway's write path (`_move_writer.ts`: refused while frozen or fenced). Reports per
 * run the copy's throughput, the whole move, and how long writes were refused as the writer saw it (the
 * freeze's target: at most 1 s), and checks that every write the writer saw succeed is where the tenant
 * lives afterwards, and no deleted row came back.
 *
 * Once per size, a baseline: per table, `psql -c "\copy (select … where tenant_id = …) to stdout" | psql
 * -c "\copy … from stdin"` between the same databases, in foreign-key order (no verification, no switch).
 *
 * ```sh
 * npm run bench:moves                                        # against the dev stack (npm start)
 * npm run bench:moves -- --rows 100000 --runs 2 --no-baseline
 * ```
 *
 * Creates and drops its own databases, data sources and tenant. Exits 0 whatever the figures.
 *
 * @module
 */
import { defineCommand, runMain } from "citty";
import { join } from "node:path";
import postgres from "postgres";
import { addDataSource, withClaims } from "../functions/_shared/control_plane/mod.ts";
import { Keyring } from "../functions/_shared/crypto/mod.ts";
import { createMove, finalizeMove, getMove, planTables, runMove } from "../functions/_shared/moves/mod.ts";
import { loadCatalog } from "../functions/_shared/postgrest/mod.ts";
import { applyMigrations, loadMigrations } from "../functions/_shared/provision/mod.ts";
import { generateTenant } from "../tests/stand_ins/generate_tenant.ts";
import { APP_DATABASE, databaseUrl, PROJECT_ROOT, stackProfile } from "../scripts/stack/profile.ts";
import { loadSecrets } from "../scripts/stack/secrets.ts";
import { longestRefusal, startMoveWriter, type WriterReport } from "./_move_writer.ts";

const CLAIMS = { role: "service_role", iss: "tenant-router-bench" };

const command = defineCommand({
  meta: { name: "move_bench", description: "Benchmark tenant moves under writes against psql \\copy pipes" },
  args: {
    rows: {
      type: "string",
      default: "100000,1000000",
      description: "Rows of the generated tenant; several sizes comma-separated",
    },
    runs: { type: "string", default: "5", description: "Moves per size (back and forth), all under writes" },
    "batch-rows": { type: "string", default: "50000", description: "Rows per copy batch" },
    concurrency: { type: "string", default: "4", description: "Tables worked on at once" },
    baseline: { type: "boolean", default: true, description: "Time the psql \\copy pipes once per size" },
    json: { type: "boolean", description: "Print the results as JSON" },
  },
  async run({ args }) {
    const profile = stackProfile("dev");
    const appUrl = Deno.env.get("SUPABASE_DB_URL") ?? databaseUrl(profile, APP_DATABASE);
    const keyring = Deno.env.get("TENANT_ENCRYPTION_KEYS")
      ? await Keyring.fromEnv(Deno.env)
      : await Keyring.fromEnv(new Map(Object.entries((await loadSecrets(profile)).encryption)));
    const results = [];
    for (const rows of args.rows.split(",").map(Number)) {
      results.push(
        await benchSize(appUrl, keyring, {
          rows,
          runs: Number(args.runs),
          batchRows: Number(args["batch-rows"]),
          concurrency: Number(args.concurrency),
          baseline: args.baseline,
        }),
      );
    }
    if (args.json) console.log(JSON.stringify(results, null, 2));
    else for (const result of results) printSize(result);
  },
});

interface SizeOptions {
  rows: number;
  runs: number;
  batchRows: number;
  concurrency: number;
  baseline: boolean;
}

/**
 * One size: generate the tenant, time the psql baseline once, then `runs` moves back and forth (each one
 * finalized, so the next moves into an empty database), every one under a steady writer.
 */
async function benchSize(appUrl: string, keyring: Keyring, options: SizeOptions) {
  const { rows } = options;
  const suffix = crypto.randomUUID().slice(0, 8);
  const names = { source: `move_bench_src_${suffix}`, target: `move_bench_dst_${suffix}` };
  const tenantId = crypto.randomUUID();
  const app = postgres(appUrl, { max: 4, onnotice: () => {} });
  const log = (line: string) => console.error(line);
  const urls: Record<string, string> = {};
  try {
    for (const [side, name] of Object.entries(names)) {
      urls[side] = await createTenantDatabase(appUrl, name);
    }
    const ids: Record<string, string> = {};
    for (const [side, name] of Object.entries(names)) {
      const view = await withClaims(
        app,
        CLAIMS,
        (tx) =>
          addDataSource(tx, {
            keyring,
            input: { name, kind: "postgres", credentials: { url: urls[side]! } },
          }),
      );
      ids[side] = view.id;
    }
    await app`insert into public.tenants (id, slug, name, data_source_id)
              values (${tenantId}, ${`move-bench-${suffix}`}, 'Move benchmark', ${ids.source!})`;

    log(`Generating ${rows.toLocaleString("en-US")} rows in ${names.source}…`);
    const source = postgres(urls.source!, { max: 1, onnotice: () => {} });
    try {
      await generateTenant(source, { tenantId, rows, seed: 6 });
      await source`vacuum analyze`;
    } finally {
      await source.end();
    }

    let baseline: { ms: number; rows_per_second: number } | undefined;
    if (options.baseline) {
      log("Baseline: psql \\copy | psql \\copy, table by table…");
      const timed = await psqlBaseline(urls.source!, urls.target!, tenantId);
      baseline = { ms: Math.round(timed.ms), rows_per_second: Math.round(rows / (timed.ms / 1000)) };
      const target = postgres(urls.target!, { max: 1, onnotice: () => {} });
      try {
        await target.begin(async (tx) => {
          await tx`set local session_replication_role = replica`;
          for (const table of [...timed.tables].reverse()) {
            await tx.unsafe(`delete from public.${table} where tenant_id = '${tenantId}'`);
          }
        });
        await target`vacuum analyze`;
      } finally {
        await target.end();
      }
    }

    const runs = [];
    const routes = new Map([[ids.source!, urls.source!], [ids.target!, urls.target!]]);
    for (let run = 1; run <= options.runs; run++) {
      const to = run % 2 === 1 ? names.target : names.source;
      log(`Move ${run}/${options.runs} to ${to} under writes (one every 20 ms)…`);
      const writer = startMoveWriter({ app, tenantId, urls: routes });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const started = performance.now();
      const created = await createMove(app, { keyring, claims: CLAIMS, tenant: tenantId, to });
      const moved = await runMove(app, {
        keyring,
        claims: CLAIMS,
        moveId: created.id,
        batchRows: options.batchRows,
        concurrency: options.concurrency,
      });
      const moveMs = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const written = await writer.stop();
      const move = await getMove(app, moved.id);
      const timings = move.timings as Record<string, number>;
      const lost = await checkWrites(urls[run % 2 === 1 ? "target" : "source"]!, written);
      runs.push({
        status: move.status,
        move_ms: Math.round(moveMs),
        copy_rows_per_second: Math.round(rows / ((timings.copy_ms ?? moveMs) / 1000)),
        move_rows_per_second: Math.round(rows / (moveMs / 1000)),
        writers_refused_ms: longestRefusal(written.attempts),
        frozen_ms: timings.frozen_ms,
        converge: timings.converge,
        writes: written.attempts.filter((a) => a.ok).length,
        refused: written.attempts.filter((a) => !a.ok).length,
        writer_errors: written.errors.length,
        missing_or_resurrected: lost,
        timings,
      });
      if (move.status !== "done") throw new Error(`Move ${run} ended ${move.status}: ${move.error}`);
      await finalizeMove(app, { keyring, claims: CLAIMS, moveId: moved.id });
    }
    return { rows, baseline, runs };
  } finally {
    await app`delete from public.tenant_moves where tenant_id = ${tenantId}`.catch(() => {});
    await app`delete from public.tenants where id = ${tenantId}`.catch(() => {});
    await app`delete from private.data_sources where name in ${app([names.source, names.target])}`.catch(
      () => {},
    );
    await app.end();
    for (const name of Object.values(names)) await dropDatabase(appUrl, name);
  }
}

/** Writes the writer saw succeed that are missing where the tenant lives now, plus deleted ones back. */
async function checkWrites(url: string, written: WriterReport): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const kept = [...written.kept];
    const deleted = [...written.deleted];
    const [row] = await sql<{ kept: number; deleted: number }[]>`
      select (select count(*)::int from public.contacts where id = any(${kept}::uuid[])) as kept,
             (select count(*)::int from public.contacts where id = any(${deleted}::uuid[])) as deleted`;
    return kept.length - row!.kept + row!.deleted;
  } finally {
    await sql.end();
  }
}

type SizeResult = Awaited<ReturnType<typeof benchSize>>;

function printSize(result: SizeResult): void {
  const { rows, baseline, runs } = result;
  console.log(
    `Tenant move of ${rows.toLocaleString("en-US")} rows over 13 tables, ${runs.length} runs under writes`,
  );
  if (baseline) {
    console.log(
      `  baseline (psql \\copy pipes, sequential): ${(baseline.ms / 1000).toFixed(2)} s, ${
        baseline.rows_per_second.toLocaleString("en-US")
      } rows/s`,
    );
  }
  for (const [i, run] of runs.entries()) {
    console.log(
      `  run ${i + 1}: ${run.status}, copy ${
        run.copy_rows_per_second.toLocaleString("en-US")
      } rows/s, whole move ${
        (run.move_ms / 1000).toFixed(1)
      } s; writes refused ${run.writers_refused_ms} ms as writers saw it (engine: frozen ${run.frozen_ms} ms, ${run.converge}); ${run.writes} writes, ${run.refused} refused, ${run.missing_or_resurrected} lost, ${run.writer_errors} errors`,
    );
  }
  const refusals = runs.map((r) => r.writers_refused_ms).sort((a, b) => a - b);
  console.log(
    `  writes refused: p50 ${refusals[Math.floor(refusals.length / 2)]} ms, p100 ${
      refusals.at(-1)
    } ms (target ≤ 1000 ms)`,
  );
}

/** The per-table psql pipes, in foreign-key order; returns the elapsed milliseconds. */
async function psqlBaseline(sourceUrl: string, targetUrl: string, tenantId: string) {
  const sql = postgres(sourceUrl, { max: 1, onnotice: () => {} });
  const tables = planTables(await loadCatalog(sql));
  await sql.end();
  const started = performance.now();
  for (const table of tables) {
    const columns = table.columns.map((c) => `"${c}"`).join(", ");
    const out =
      `\\copy (select ${columns} from public.${table.name} where tenant_id = '${tenantId}') to stdout`;
    const into = `\\copy public.${table.name} (${columns}) from stdin`;
    const pipe = await new Deno.Command("sh", {
      args: ["-c", 'psql -X -q -d "$SRC" -c "$OUT" | psql -X -q -v ON_ERROR_STOP=1 -d "$DST" -c "$INTO"'],
      env: { SRC: sourceUrl, DST: targetUrl, OUT: out, INTO: into },
      stdout: "null",
      stderr: "piped",
    }).output();
    if (pipe.code !== 0) {
      throw new Error(`psql pipe failed for ${table.name}: ${new TextDecoder().decode(pipe.stderr)}`);
    }
  }
  return { ms: performance.now() - started, tables: tables.map((t) => t.name) };
}

async function createTenantDatabase(appUrl: string, name: string): Promise<string> {
  const admin = postgres(appUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(appUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(await Deno.readTextFile(join(PROJECT_ROOT, "scripts", "stack", "bootstrap.sql")))
      .simple();
    await applyMigrations(sql, await loadMigrations());
  } finally {
    await sql.end();
  }
  return url.toString();
}

async function dropDatabase(appUrl: string, name: string): Promise<void> {
  const admin = postgres(appUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}

if (import.meta.main) await runMain(command);
