/**
 * The application database at 100,000 tenants and 1,000,000 memberships: a scratch database on the test
 * cluster (migrations as they are, data from `scripts/generate_app_scale.ts`), where every query the
 * readers send (the gateway's directory, `GET /tenants` pages, a tenant admin's audit log, a user's
 * tenants and co-members through RLS) must be planned with the indexes meant for it and no sequential
 * scan of a large table. Plans only: the timings are `npm run bench:app-db`'s (docs/benchmarks.md).
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { listTenantPage } from "../functions/_shared/control_plane/mod.ts";
import { TenantDirectory } from "../functions/_shared/tenancy/mod.ts";
import { PROJECT_ROOT } from "../scripts/stack/profile.ts";
import {
  appDbQueries,
  appDbSample,
  buildScaleDatabase,
  DIRECTORY_DATA_SOURCE_SQL,
  DIRECTORY_DEFAULT_DATA_SOURCE_SQL,
  DIRECTORY_MEMBERSHIPS_SQL,
  explainQuery,
  planProblems,
} from "../bench/app_db_scale.ts";
import { testStack } from "./_env.ts";

/** Whitespace-insensitive form of SQL text, with postgres.js's `${…}` placeholders as `$n`. */
function normalize(text: string): string {
  let n = 0;
  return text.replace(/\$\{[^}]*\}/g, () => `$${++n}`).replace(/\s+/g, " ").trim();
}

Deno.test("a sequential scan of a large table is a plan problem unless the query may scan that table", () => {
  const query = { name: "q", text: "", params: [], indexes: ["tenant_members_user_id_idx"] };
  const nodes = [
    { nodeType: "Seq Scan", relation: "tenants", index: undefined },
    { nodeType: "Index Only Scan", relation: "tenant_members", index: "tenant_members_user_id_idx" },
  ];
  assert.deepEqual(planProblems(query, nodes), ["sequential scan of tenants"]);
  assert.deepEqual(planProblems({ ...query, mayScan: ["tenants"] }, nodes), []);
  assert.deepEqual(planProblems({ ...query, mayScan: ["tenants"] }, nodes.slice(0, 1)), [
    "does not use tenant_members_user_id_idx",
  ]);
});

Deno.test("the plans checked here are the directory's own queries, word for word", async () => {
  // Memberships are read by the tenant directory, data sources by the data-source cache behind it.
  const files = [
    "functions/_shared/tenancy/directory.ts",
    "functions/_shared/data_sources/data_source_cache.ts",
  ];
  const texts = await Promise.all(files.map((file) => Deno.readTextFile(join(PROJECT_ROOT, file))));
  const source = normalize(texts.join("\n")).replace(/\$\d+/g, "$1");
  for (
    const query of [DIRECTORY_MEMBERSHIPS_SQL, DIRECTORY_DATA_SOURCE_SQL, DIRECTORY_DEFAULT_DATA_SOURCE_SQL]
  ) {
    assert.ok(source.includes(normalize(query)), `the directory no longer sends: ${normalize(query)}`);
  }
});

Deno.test({
  name:
    "at 100,000 tenants and 1,000,000 memberships every reader's query uses its index, none scans a large table",
  async fn() {
    const stack = testStack();
    const { scratch, sql, keyring, population } = await buildScaleDatabase(stack.appDbUrl, {
      tenants: 100_000,
      memberships: 1_000_000,
      dataSources: 5,
      log: () => {},
    });
    try {
      assert.equal(population.tenants, 100_000);
      assert.equal(population.memberships, 1_000_000);
      assert.ok(population.auditEntries >= 1_100_000, "an audit entry per tenant and membership");

      const sample = await appDbSample(sql);
      const queries = await appDbQueries(sample);
      assert.ok(queries.length >= 10);
      for (const query of queries) {
        const nodes = await explainQuery(sql, query);
        assert.deepEqual(planProblems(query, nodes), [], `${query.name}: ${JSON.stringify(nodes)}`);
      }
      // The covering index can answer the membership lookup alone. Whether the planner prefers that to a
      // bitmap scan depends on how much of the table the visibility map marks all-visible, which a snapshot
      // held elsewhere in the cluster (a move's) can hold back: asked without bitmap scans, it must be an
      // index-only scan.
      const [membership] = queries;
      const nodes = await explainQuery(sql, membership!, { enable_bitmapscan: "off" });
      assert.ok(
        nodes.some((node) =>
          node.nodeType === "Index Only Scan" && node.index === "tenant_members_user_id_idx"
        ),
        JSON.stringify(nodes),
      );

      // The real directory answers at this scale: the busiest user, by slug order, any tenant by header.
      const directory = new TenantDirectory({ databaseUrl: scratch.url, keyring, listen: false });
      try {
        const memberships = await directory.memberships(population.busiestUser.id);
        assert.equal(memberships.length, population.busiestUser.memberships);
        const expected = await sql<{ slug: string }[]>`
          select t.slug from public.tenant_members m join public.tenants t on t.id = m.tenant_id
          where m.user_id = ${population.busiestUser.id} order by t.slug`;
        assert.deepEqual(memberships.map((m) => m.tenant.slug), expected.map((row) => row.slug));
        const wanted = memberships.find((m) => m.tenant.status === "active")!;
        const resolved = await directory.resolveTenant({
          userId: population.busiestUser.id,
          requestedTenant: wanted.tenant.slug,
        });
        assert.equal(resolved.tenant.id, wanted.tenant.id);
      } finally {
        await directory.close();
      }

      // Pages of 1,000 cover all 100,000 tenants once each, in the database's order of slugs.
      const listed: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listTenantPage(sql, { limit: 1000, cursor });
        listed.push(...page.tenants.map((tenant) => tenant.slug));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      const all = await sql<{ slug: string }[]>`select slug from public.tenants order by slug`;
      assert.equal(listed.length, 100_000);
      assert.deepEqual(listed, all.map((row) => row.slug));
    } finally {
      await sql.end();
      await scratch.drop();
    }
  },
});
