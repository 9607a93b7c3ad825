/**
 * Benchmark of a tenant move (issue #6, item 4): a generated tenant of `--rows` rows over the 13 tables,
 * moved between two scratch databases on the stack's server, against a baseline in the same run: per
 * table, `psql -c "\copy (select … where tenant_id = …) to stdout" | psql -c "\copy … from stdin"`
 * between the same databases, tables one after the other in foreign-key order.
 *
 * Our time is the whole move (`createMove` + `runMove`): plan, copy, catch-up, freeze, delta, verification
 * of every table on both sides, switch. The baseline neither verifies nor switches; it runs triggers and
 * foreign-key checks (plain `\copy`), which the move skips (`session_replication_role = replica`).
 *
 * ```sh
 * deno run -A bench/move_bench.ts --rows 1000000          # against the dev stack (npm start)
 * SUPABASE_DB_URL=… TENANT_ENCRYPTION_KEYS=… deno run -A bench/move_bench.ts
 * ```
 *
 * Creates and drops its own databases, data sources and tenant; prints rows per second of both and the
 * ratio (target: at least 0.7× the baseline). Exits 0 whatever the figures.
 *
 * @module
 */
import { defineCommand, runMain } from "citty";
import { join } from "node:path";
import postgres from "postgres";
import { addDataSource, withClaims } from "../functions/_shared/control_plane/mod.ts";
import { Keyring } from "../functions/_shared/crypto/mod.ts";
import { createMove, getMove, planTables, runMove } from "../functions/_shared/moves/mod.ts";
import { loadCatalog } from "../functions/_shared/postgrest/mod.ts";
import { applyMigrations, loadMigrations } from "../functions/_shared/provision/mod.ts";
import { generateTenant } from "../tests/stand_ins/generate_tenant.ts";
import { APP_DATABASE, databaseUrl, PROJECT_ROOT, stackProfile } from "../scripts/stack/profile.ts";
import { loadSecrets } from "../scripts/stack/secrets.ts";

const CLAIMS = { role: "service_role", iss: "tenant-router-bench" };

const command = defineCommand({
  meta: { name: "move_bench", description: "Benchmark a tenant move against psql \\copy pipes" },
  args: {
    rows: { type: "string", default: "1000000", description: "Rows of the generated tenant" },
    "batch-rows": { type: "string", default: "50000", description: "Rows per copy batch" },
    concurrency: { type: "string", default: "4", description: "Tables worked on at once" },
    json: { type: "boolean", description: "Print the results as JSON" },
  },
  async run({ args }) {
    const rows = Number(args.rows);
    const profile = stackProfile("dev");
    const appUrl = Deno.env.get("SUPABASE_DB_URL") ?? databaseUrl(profile, APP_DATABASE);
    const keyring = Deno.env.get("TENANT_ENCRYPTION_KEYS")
      ? await Keyring.fromEnv(Deno.env)
      : await Keyring.fromEnv(new Map(Object.entries((await loadSecrets(profile)).encryption)));
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

      log("Baseline: psql \\copy | psql \\copy, table by table…");
      const baseline = await psqlBaseline(urls.source!, urls.target!, tenantId);
      const target = postgres(urls.target!, { max: 1, onnotice: () => {} });
      try {
        await target.begin(async (tx) => {
          await tx`set local session_replication_role = replica`;
          for (const table of [...baseline.tables].reverse()) {
            await tx.unsafe(`delete from public.${table} where tenant_id = '${tenantId}'`);
          }
        });
        await target`vacuum analyze`;
      } finally {
        await target.end();
      }

      log("Move: plan, copy, catch-up, freeze, delta, verify, switch…");
      const started = performance.now();
      const created = await createMove(app, { keyring, claims: CLAIMS, tenant: tenantId, to: names.target });
      const moved = await runMove(app, {
        keyring,
        claims: CLAIMS,
        moveId: created.id,
        batchRows: Number(args["batch-rows"]),
        concurrency: Number(args.concurrency),
      });
      const moveMs = performance.now() - started;
      const move = await getMove(app, moved.id);
      const result = {
        rows,
        baseline: { ms: Math.round(baseline.ms), rows_per_second: Math.round(rows / (baseline.ms / 1000)) },
        move: {
          ms: Math.round(moveMs),
          rows_per_second: Math.round(rows / (moveMs / 1000)),
          status: move.status,
          rows_verified: move.rows_verified,
          timings: move.timings,
        },
        ratio: Number((baseline.ms / moveMs).toFixed(2)),
        target: 0.7,
      };
      if (args.json) console.log(JSON.stringify(result, null, 2));
      else {
        console.log(`Tenant move of ${rows.toLocaleString("en-US")} rows over 13 tables`);
        console.log(
          `  baseline (psql \\copy pipes, sequential): ${(baseline.ms / 1000).toFixed(2)} s, ${
            result.baseline.rows_per_second.toLocaleString("en-US")
          } rows/s`,
        );
        console.log(
          `  move (verification included):           ${(moveMs / 1000).toFixed(2)} s, ${
            result.move.rows_per_second.toLocaleString("en-US")
          } rows/s, ${move.status}, ${move.rows_verified} rows verified`,
        );
        console.log(`  phases: ${JSON.stringify(move.timings)}`);
        console.log(
          `  ratio: ${result.ratio}× the baseline (target ≥ 0.7×: ${
            result.ratio >= 0.7 ? "met" : "NOT met"
          })`,
        );
      }
    } finally {
      await app`delete from public.tenants where id = ${tenantId}`.catch(() => {});
      await app`delete from private.data_sources where name in ${app([names.source, names.target])}`.catch(
        () => {},
      );
      await app.end();
      for (const name of Object.values(names)) await dropDatabase(appUrl, name);
    }
  },
});

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
