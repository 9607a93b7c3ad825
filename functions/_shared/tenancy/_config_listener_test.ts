import assert from "node:assert/strict";
import postgres from "postgres";
import { testDatabases } from "../data_sources/testdata/helpers.ts";
import { CONFIG_CHANNEL, type ConfigChange, ConfigListener } from "./_config_listener.ts";
import { waitFor } from "./testdata/helpers.ts";

Deno.test({
  name: "ConfigListener hears tenant_router_config and reads its JSON payload",
  async fn() {
    const databases = await testDatabases();
    const sql = postgres(databases.appUrl, { max: 1, onnotice: () => {} });
    const changes: (ConfigChange | null)[] = [];
    let ups = 0;
    const listener = new ConfigListener({
      url: databases.appUrl,
      notify: (channel, payload) => sql`select pg_notify(${channel}, ${payload})`,
      onChange: (change) => changes.push(change),
      onUp: () => ups++,
      onDown: () => {},
      heartbeatMs: 50,
      log: () => {},
    });
    try {
      listener.start();
      listener.start(); // idempotent
      await waitFor(() => Promise.resolve(listener.listening), 5_000);
      assert.equal(ups, 1);
      const payload = {
        schema: "public",
        table: "tenant_members",
        op: "delete",
        tenant_id: "t",
        user_id: "u",
      };
      await sql`select pg_notify(${CONFIG_CHANNEL}, ${JSON.stringify(payload)})`;
      await sql`select pg_notify(${CONFIG_CHANNEL}, 'not json')`;
      await sql`select pg_notify(${CONFIG_CHANNEL}, '[1, 2]')`;
      await waitFor(() => Promise.resolve(changes.length === 3), 2_000);
      assert.deepEqual(changes, [
        {
          schema: "public",
          table: "tenant_members",
          op: "delete",
          id: undefined,
          tenantId: "t",
          userId: "u",
        },
        null,
        null,
      ]);
      // Several heartbeats come back without the listener going down.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(listener.stats(), { listening: true, ups: 1, downs: 0 });
    } finally {
      await listener.close();
      await sql.end();
    }
    assert.equal(listener.listening, false);
  },
});
