/**
 * The benchmark's baseline: the least a server can do to answer the gateway's two benchmark requests. It
 * verifies nothing (no JWT, no tenant lookup, no parsing beyond one query parameter) and sends the same
 * RLS transaction the gateway sends, straight to Postgres with postgres.js, pipelined on one reserved
 * connection: `begin read only`, `set_config` of role, claims and statement timeout, the statement
 * (hand-written SQL building the same JSON body), `commit`. Same driver, same pool settings as the gateway.
 * The SQL is written as postgres.js tagged templates, so, as postgres.js does by default, each statement
 * is prepared once per connection and afterwards the whole transaction costs one round trip.
 *
 * It answers the gateway's URLs, `…/rest/v1/contacts?…`: with `id=eq.<uuid>` the row as an object,
 * otherwise the list of the benchmark (`id,name,email`, `account_id` not null, by name, 20 rows).
 *
 * Usage: `BENCH_DB_URL=… BENCH_CLAIMS='{…}' deno run -A bench/baseline_server.ts --port 56323 [--pool-max 10]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import postgres from "postgres";

/** Options of {@linkcode createBaselineHandler}. */
export interface BaselineOptions {
  /** The request claims, as the gateway would set them for the benchmark's user. */
  claims: Record<string, unknown>;
  statementTimeoutMs?: number;
}

/**
 * The baseline's fetch handler on a pool.
 *
 * @example
 * ```ts
 * Deno.serve({ port: 56323 }, createBaselineHandler(postgres(url, { max: 10 }), { claims }));
 * ```
 */
export function createBaselineHandler(
  pool: postgres.Sql,
  options: BaselineOptions,
): (request: Request) => Promise<Response> {
  const claims = JSON.stringify(options.claims);
  const role = String(options.claims.role);
  const timeout = String(options.statementTimeoutMs ?? 8000);

  return async function handleBaselineRequest(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.endsWith("/health")) return new Response("ok");
    const id = url.searchParams.get("id");
    const single = id !== null;
    const connection = await pool.reserve();
    try {
      // Sent in this order on one connection, in one round trip; after an error the commit rolls back.
      const [, , rows] = await Promise.all([
        connection.unsafe("begin read only"),
        connection`select set_config('role', ${role}, true),
                          set_config('request.jwt.claims', ${claims}, true),
                          set_config('statement_timeout', ${timeout}, true)`,
        single
          ? connection`
            select count(*)::int4 as page_total, coalesce(json_agg(c)->0, 'null')::text as body
            from (select * from public.contacts where id = ${id.replace(/^eq\./, "")}::uuid) as c`
          : connection`
            select count(*)::int4 as page_total, coalesce(json_agg(c), '[]')::text as body
            from (select id, name, email from public.contacts
                  where account_id is not null order by name limit 20) as c`,
        connection.unsafe("commit"),
      ]);
      const row = rows[0] as unknown as { page_total: number; body: string };
      if (single && row.page_total !== 1) return new Response(null, { status: 406 });
      return new Response(row.body, {
        headers: {
          "content-type": single
            ? "application/vnd.pgrst.object+json; charset=utf-8"
            : "application/json; charset=utf-8",
        },
      });
    } catch (error) {
      console.error(`baseline: ${error instanceof Error ? error.message : error}`);
      return new Response(null, { status: 500 });
    } finally {
      connection.release();
    }
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { port: { type: "string", default: "56323" }, "pool-max": { type: "string", default: "10" } },
  });
  const url = Deno.env.get("BENCH_DB_URL");
  const claims = Deno.env.get("BENCH_CLAIMS");
  if (!url || !claims) throw new Error("Missing BENCH_DB_URL or BENCH_CLAIMS");
  // The gateway's pool settings (DataSourcePools): size, idle timeout, max lifetime, connect timeout.
  const pool = postgres(url, {
    max: Number(values["pool-max"]),
    idle_timeout: 30,
    max_lifetime: 30 * 60,
    connect_timeout: 5,
    onnotice: () => {},
    connection: { application_name: "bench-baseline" },
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: Number(values.port), onListen: () => {} },
    createBaselineHandler(pool, { claims: JSON.parse(claims) }),
  );
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(
      signal,
      () => server.shutdown().then(() => pool.end({ timeout: 1 })).then(() => Deno.exit(0)),
    );
  }
}
