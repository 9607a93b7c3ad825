import assert from "node:assert/strict";
import postgres from "postgres";
import {
  connect,
  databaseEnv,
  deleteDataSources,
  deleteTenants,
} from "../../../functions/_shared/admin/testdata/helpers.ts";
import { tenants } from "../testdata/cli.ts";

const env = databaseEnv();

Deno.test({
  name:
    "data-source create-local creates, registers and provisions a database that a tenant then moves to; a taken name exits 1",
  async fn() {
    const sql = connect(env!.dbUrl);
    const shared = postgres(env!.sharedDbUrl, { max: 1, onnotice: () => {} });
    const name = `cli_local_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
    const slug = `cli-local-${crypto.randomUUID().slice(0, 8)}`;
    let tenantId = "";
    try {
      const created = await tenants(["data-source", "create-local", name]);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, new RegExp(`move <tenant> --to ${name}`));
      const [registered] = await sql<
        { kind: string; schema_version: string | null; database_name: string }[]
      >`
        select kind, schema_version, database_name from private.data_sources where name = ${name}`;
      assert.equal(registered?.kind, "postgres");
      assert.equal(registered?.database_name, name);
      assert.notEqual(registered?.schema_version, null, "provisioned");

      assert.equal((await tenants(["tenant", "create", "--slug", slug, "--name", "Local Co"])).code, 0);
      const [tenant] = await sql<{ id: string }[]>`select id from public.tenants where slug = ${slug}`;
      tenantId = tenant!.id;
      await shared`insert into public.accounts (tenant_id, name) values (${tenantId}, 'Goes Local')`;
      const moved = await tenants(["move", slug, "--to", name]);
      assert.equal(moved.code, 0, moved.stderr);
      const localUrl = new URL(env!.dbUrl);
      localUrl.pathname = `/${name}`;
      const local = postgres(localUrl.toString(), { max: 1, onnotice: () => {} });
      try {
        const [copied] = await local<{ n: number }[]>`
          select count(*)::int as n from public.accounts where tenant_id = ${tenantId}`;
        assert.equal(copied?.n, 1);
      } finally {
        await local.end();
      }

      const again = await tenants(["data-source", "create-local", name]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /exists already/);
    } finally {
      if (tenantId) await shared`delete from public.accounts where tenant_id = ${tenantId}`;
      await deleteTenants(sql, [slug]);
      await deleteDataSources(sql, [name]);
      await sql.unsafe(`drop database if exists ${name} with (force)`);
      await shared.end();
      await sql.end();
    }
  },
});
