import assert from "node:assert/strict";
import { generateKey, Keyring } from "../crypto/mod.ts";
import { DataSourceUnavailableError } from "../data_sources/errors.ts";
import { closedPort, testDatabases } from "../data_sources/testdata/helpers.ts";
import { PostgrestError } from "../errors/postgrest_error.ts";
import { TenantDirectory, type TenantDirectoryOptions, type TenantResolution } from "./directory.ts";
import { TENANT_SUSPENDED_MESSAGE, TenantAccessError, TenantDirectoryUnavailableError } from "./errors.ts";
import { Fixtures, TcpProxy, TENANTS, USERS, waitFor } from "./testdata/helpers.ts";

/** A directory on the test stack that is already listening, with its log captured. */
async function openDirectory(
  options: Partial<TenantDirectoryOptions> = {},
): Promise<{ directory: TenantDirectory; logs: string[] }> {
  const databases = await testDatabases();
  const logs: string[] = [];
  const directory = new TenantDirectory({
    databaseUrl: databases.appUrl,
    keyring: databases.keyring,
    heartbeatMs: 200,
    log: (message) => logs.push(message),
    ...options,
  });
  directory.start();
  await waitFor(() => Promise.resolve(directory.listening), 5_000);
  return { directory, logs };
}

async function withDirectory(
  fn: (directory: TenantDirectory, logs: string[]) => Promise<void>,
  options: Partial<TenantDirectoryOptions> = {},
): Promise<void> {
  const { directory, logs } = await openDirectory(options);
  try {
    await fn(directory, logs);
  } finally {
    await directory.close({ timeout: 0 });
  }
}

async function withFixtures(fn: (fixtures: Fixtures) => Promise<void>): Promise<void> {
  const databases = await testDatabases();
  const fixtures = new Fixtures(databases.appUrl);
  try {
    await fn(fixtures);
  } finally {
    await fixtures.cleanup();
  }
}

function summary(resolution: TenantResolution): [string, string, string] {
  return [resolution.tenant.slug, resolution.role, resolution.dataSource.name];
}

async function refusal(promise: Promise<unknown>): Promise<PostgrestError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof PostgrestError, `expected a PostgrestError, got ${error}`);
  return error;
}

/** What a client would see of an error: status, headers and body. */
async function seen(error: PostgrestError): Promise<string> {
  const response = error.toResponse();
  return JSON.stringify([response.status, [...response.headers], await response.text()]);
}

Deno.test({
  name: "resolveTenant() resolves the one membership with its role and data source",
  async fn() {
    await withDirectory(async (directory) => {
      assert.deepEqual(summary(await directory.resolveTenant({ userId: USERS.alice })), [
        "acme",
        "owner",
        "tenant_acme",
      ]);
      assert.deepEqual(summary(await directory.resolveTenant({ userId: USERS.bob })), [
        "acme",
        "viewer",
        "tenant_acme",
      ]);
      const grace = await directory.resolveTenant({ userId: USERS.grace });
      assert.deepEqual(summary(grace), ["globex", "owner", "tenant_shared"]);
      assert.equal(grace.dataSource.isDefault, true);
      assert.deepEqual(grace.tenant, {
        id: TENANTS.globex,
        slug: "globex",
        status: "active",
        writesFrozen: false,
      });
    });
  },
});

Deno.test({
  name: "resolveTenant() takes x-tenant-id as a slug or a uuid, among the user's memberships",
  async fn() {
    await withDirectory(async (directory) => {
      const bySlug = await directory.resolveTenant({ userId: USERS.olivia, requestedTenant: "globex" });
      assert.deepEqual(summary(bySlug), ["globex", "member", "tenant_shared"]);
      const byId = await directory.resolveTenant({
        userId: USERS.olivia,
        requestedTenant: ` ${TENANTS.acme.toUpperCase()} `,
      });
      assert.deepEqual(summary(byId), ["acme", "member", "tenant_acme"]);
    });
  },
});

Deno.test({
  name: "resolveTenant() falls back to the token's tenant_id claim, then asks for x-tenant-id (400)",
  async fn() {
    await withDirectory(async (directory) => {
      const claimed = await directory.resolveTenant({ userId: USERS.olivia, tokenTenantId: TENANTS.globex });
      assert.equal(claimed.tenant.slug, "globex");
      for (const tokenTenantId of [undefined, null, TENANTS.initech, "not-a-uuid"]) {
        const error = await refusal(directory.resolveTenant({ userId: USERS.olivia, tokenTenantId }));
        assert.ok(error instanceof TenantAccessError);
        assert.equal(error.reason, "tenant_required");
        assert.equal(error.status, 400);
        assert.equal(error.code, "TR401");
      }
      // One membership wins over a claim for another tenant (a stale token).
      const alice = await directory.resolveTenant({ userId: USERS.alice, tokenTenantId: TENANTS.globex });
      assert.equal(alice.tenant.slug, "acme");
      // An empty header counts as not sent.
      const blank = await directory.resolveTenant({ userId: USERS.alice, requestedTenant: "  " });
      assert.equal(blank.tenant.slug, "acme");
    });
  },
});

Deno.test({
  name: "resolveTenant() answers another tenant, an unknown one and garbage with the same 403",
  async fn() {
    await withDirectory(async (directory) => {
      const attempts = [
        { userId: USERS.alice, requestedTenant: "globex" }, // exists, not hers
        { userId: USERS.alice, requestedTenant: TENANTS.globex },
        { userId: USERS.alice, requestedTenant: "initech" },
        { userId: USERS.alice, requestedTenant: "no-such-tenant" }, // does not exist
        { userId: USERS.alice, requestedTenant: crypto.randomUUID() },
        { userId: USERS.alice, requestedTenant: "'; drop table public.tenants; --" },
        { userId: USERS.bob, requestedTenant: "globex", tokenTenantId: TENANTS.globex },
        { userId: USERS.mallory, requestedTenant: "acme" }, // no membership at all
        { userId: USERS.mallory, requestedTenant: TENANTS.acme, tokenTenantId: TENANTS.acme },
        { userId: USERS.mallory }, // no membership, nothing requested
        { userId: crypto.randomUUID(), requestedTenant: "acme" }, // unknown user
        { userId: "not-a-uuid", requestedTenant: "acme" },
      ];
      const bodies = new Set<string>();
      for (const attempt of attempts) {
        const error = await refusal(directory.resolveTenant(attempt));
        assert.ok(error instanceof TenantAccessError, JSON.stringify(attempt));
        assert.equal(error.reason, "not_accessible");
        bodies.add(await seen(error));
      }
      assert.equal(bodies.size, 1, [...bodies].join("\n"));
      const [status, , body] = JSON.parse([...bodies][0]!);
      assert.equal(status, 403);
      assert.equal(JSON.parse(body).code, "TR403");
    });
  },
});

Deno.test({
  name: "resolveTenant() serves repeated and concurrent lookups from one query per user",
  async fn() {
    await withDirectory(async (directory) => {
      const lookups = Array.from(
        { length: 25 },
        () => directory.resolveTenant({ userId: USERS.olivia, requestedTenant: "acme" }),
      );
      await Promise.all(lookups);
      const afterBurst = directory.stats().memberships;
      assert.equal(afterBurst.loads, 1);
      assert.equal(afterBurst.joins, 24);
      await directory.resolveTenant({ userId: USERS.olivia, requestedTenant: "globex" });
      assert.equal(directory.stats().memberships.loads, 1);
      assert.equal(directory.stats().memberships.hits, 1);
    });
  },
});

Deno.test({
  name: "memberships() of many users at once are read together and each user gets exactly their own",
  async fn() {
    const users = Object.values(USERS);
    const one = await (async () => {
      const each = new Map<string, string[]>();
      await withDirectory(async (directory) => {
        for (const user of users) {
          each.set(user, (await directory.memberships(user)).map((m) => `${m.tenant.slug}:${m.role}`));
        }
      });
      return each;
    })();
    assert.deepEqual(one.get(USERS.olivia), ["acme:member", "globex:member"]);
    assert.deepEqual(one.get(USERS.mallory), []);
    // A pool of two leaves one slot to memberships: the first user is read alone, the other five together.
    await withDirectory(async (directory) => {
      const burst = await Promise.all(
        [...users, USERS.alice.toUpperCase()].map((user) => directory.memberships(user)),
      );
      assert.deepEqual(
        burst.map((list) => list.map((m) => `${m.tenant.slug}:${m.role}`)),
        [...users.map((user) => one.get(user)), one.get(USERS.alice)],
      );
      assert.equal(directory.stats().memberships.loads, users.length);
    }, { poolMax: 2 });
  },
});

Deno.test({
  name: "resolveTenant() rejects a revoked membership within a second (NOTIFY)",
  async fn() {
    await withFixtures(async (fixtures) => {
      const tenant = await fixtures.tenant();
      const member = await fixtures.user();
      await fixtures.member(tenant.id, member, "member");
      await withDirectory(async (directory) => {
        const request = { userId: member, requestedTenant: tenant.slug };
        assert.equal((await directory.resolveTenant(request)).role, "member");
        const revoked = await directory.resolveTenant(request);
        assert.equal(directory.stats().memberships.hits, 1, "the membership is cached");
        const owner = await directory.resolveTenant({ userId: tenant.owner });
        assert.ok(directory.isCurrent(revoked) && directory.isCurrent(owner));
        await fixtures
          .sql`delete from public.tenant_members where tenant_id = ${tenant.id} and user_id = ${member}`;
        const elapsed = await waitFor(async () => {
          const error = await directory.resolveTenant(request).then(() => undefined, (e: unknown) => e);
          return error instanceof TenantAccessError && error.reason === "not_accessible";
        }, 1_000);
        assert.ok(elapsed < 1_000);
        // The gateway's remembered identity of the member ends with the change heard; the owner's, of
        // another user of the same tenant, stands.
        assert.equal(directory.isCurrent(revoked), false);
        assert.equal(directory.isCurrent(owner), true);
        assert.equal((await directory.resolveTenant({ userId: tenant.owner })).role, "owner");
      });
    });
  },
});

Deno.test({
  name: "resolveTenant() follows a tenant reassigned to another data source within a second (NOTIFY)",
  async fn() {
    await withFixtures(async (fixtures) => {
      const tenant = await fixtures.tenant({ dataSourceId: null });
      const acme = await fixtures.dataSourceId("tenant_acme");
      const changed: (string | null)[] = [];
      await withDirectory(async (directory) => {
        const request = { userId: tenant.owner };
        const before = await directory.resolveTenant(request);
        assert.equal(before.dataSource.name, "tenant_shared");
        const otherTenant = await directory.resolveTenant({ userId: USERS.grace });
        await fixtures.sql`update public.tenants set data_source_id = ${acme} where id = ${tenant.id}`;
        await waitFor(
          async () => (await directory.resolveTenant(request)).dataSource.name === "tenant_acme",
          1_000,
        );
        assert.equal(directory.isCurrent(before), false, "a resolution of the tenant ends with its change");
        assert.equal(directory.isCurrent(otherTenant), true, "another tenant's stands");
        // Back to the default data source: the rollback of a move.
        await fixtures.sql`update public.tenants set data_source_id = null where id = ${tenant.id}`;
        await waitFor(async () => (await directory.resolveTenant(request)).dataSource.isDefault, 1_000);
        assert.deepEqual(changed, [], "tenant changes are not data source changes");
      }, { onDataSourceChange: (id) => changed.push(id) });
    });
  },
});

Deno.test({
  name: "resolveTenant() refuses a suspended tenant with 403 and serves a moving one",
  async fn() {
    await withFixtures(async (fixtures) => {
      const tenant = await fixtures.tenant();
      await withDirectory(async (directory) => {
        const request = { userId: tenant.owner };
        const active = await directory.resolveTenant(request);
        await fixtures.sql`update public.tenants set status = 'suspended' where id = ${tenant.id}`;
        await waitFor(async () => {
          const error = await directory.resolveTenant(request).then(() => undefined, (e: unknown) => e);
          return error instanceof TenantAccessError && error.reason === "suspended";
        }, 1_000);
        assert.equal(directory.isCurrent(active), false);
        const error = await refusal(directory.resolveTenant(request));
        assert.equal(error.status, 403);
        assert.equal(error.message, TENANT_SUSPENDED_MESSAGE);
        await fixtures.sql`update public.tenants set status = 'moving' where id = ${tenant.id}`;
        await waitFor(async () => {
          const resolution = await directory.resolveTenant(request).catch(() => undefined);
          return resolution?.tenant.status === "moving";
        }, 1_000);
      });
    });
  },
});

Deno.test({
  name: "resolveTenant() makes a data source with copied ciphertext unavailable, without a secret",
  async fn() {
    const databases = await testDatabases();
    await withFixtures(async (fixtures) => {
      const copied = await fixtures.copiedDataSource(databases.keyring, {
        fromName: "tenant_acme",
        url: databases.acmeUrl,
      });
      const tenant = await fixtures.tenant({ dataSourceId: copied });
      const [sealed] = await fixtures.sql<{ hex: string }[]>`
        select encode(secret_ciphertext, 'hex') as hex from private.data_sources where id = ${copied}`;
      const changed: (string | null)[] = [];
      await withDirectory(async (directory, logs) => {
        const before = directory.stats().decryptions;
        for (let i = 0; i < 3; i++) {
          const error = await refusal(directory.resolveTenant({ userId: tenant.owner }));
          assert.ok(error instanceof DataSourceUnavailableError);
          assert.equal(error.reason, "credentials");
          assert.equal(error.dataSourceId, copied);
          assert.equal(error.status, 503);
          const text = `${await seen(error)} ${error} ${error.stack} ${logs.join(" ")}`;
          for (
            const secret of [databases.acmeUrl, "postgres:postgres", "tenant_acme", sealed!.hex.slice(0, 32)]
          ) {
            assert.ok(!text.includes(secret), `must not contain ${secret}: ${text}`);
          }
        }
        directory.flush();
        await refusal(directory.resolveTenant({ userId: tenant.owner }));
        assert.equal(directory.stats().decryptions - before, 1, "a broken secret is tried once per version");
        assert.equal(logs.length, 1);
        assert.match(
          logs[0]!,
          /^Cannot open the credentials of data source [0-9a-f-]{36} \(DecryptionError\)/,
        );
        // Other tenants keep working.
        const alice = await directory.resolveTenant({ userId: USERS.alice });
        assert.equal(alice.dataSource.name, "tenant_acme");
        // A change to the data source is reported, so the gateway can close its pool; resolutions on
        // another data source stand, those on the changed one end.
        await fixtures.sql`update private.data_sources set pool_max = 2 where id = ${copied}`;
        await waitFor(() => Promise.resolve(changed.includes(copied)), 1_000);
        assert.equal(directory.isCurrent(alice), true);
        await fixtures
          .sql`update private.data_sources set pool_max = pool_max + 1 where name = 'tenant_acme'`;
        try {
          await waitFor(() => Promise.resolve(!directory.isCurrent(alice)), 1_000);
        } finally {
          await fixtures
            .sql`update private.data_sources set pool_max = pool_max - 1 where name = 'tenant_acme'`;
        }
      }, { onDataSourceChange: (id) => changed.push(id) });
    });
  },
});

Deno.test({
  name: "TenantDirectory decrypts each data source's credentials once per version",
  async fn() {
    await withDirectory(async (directory) => {
      await directory.resolveTenant({ userId: USERS.alice });
      await directory.resolveTenant({ userId: USERS.grace });
      const decryptions = directory.stats().decryptions;
      directory.flush();
      await directory.resolveTenant({ userId: USERS.alice });
      await directory.resolveTenant({ userId: USERS.ivan });
      assert.equal(directory.stats().decryptions, decryptions);
      assert.equal(
        directory.stats().dataSources.loads,
        4,
        "rows are read again, credentials are not opened again",
      );
    });
  },
});

Deno.test({
  name: "TenantDirectory survives a dropped LISTEN connection and an unreachable database",
  async fn() {
    const databases = await testDatabases();
    const proxy = new TcpProxy(databases.appUrl);
    proxy.start();
    const ttlMs = 1_500;
    const { directory } = await openDirectory({
      databaseUrl: proxy.url(databases.appUrl),
      ttlMs,
      heartbeatMs: 100,
      pongTimeoutMs: 300,
      connectTimeoutSeconds: 1,
    });
    try {
      const request = { userId: USERS.alice };
      await directory.resolveTenant(request);
      assert.equal(directory.stats().memberships.size, 1);

      // 1. The connection drops while the database is reachable: postgres.js listens again at once, and
      //    the caches are cleared because changes may have been missed meanwhile.
      const before = await directory.resolveTenant(request);
      assert.ok(directory.isCurrent(before));
      proxy.cut();
      await waitFor(() => Promise.resolve(directory.stats().listener!.ups >= 2), 3_000);
      assert.equal(directory.stats().memberships.size, 0);
      assert.equal(directory.isCurrent(before), false);
      await waitFor(() => Promise.resolve(directory.listening), 3_000);
      const heard = await directory.resolveTenant(request);

      // 2. The database becomes unreachable: the heartbeat notices; cached entries serve until their TTL,
      //    then requests get 503.
      proxy.stop();
      const lost = performance.now();
      await waitFor(() => Promise.resolve(!directory.listening), 3_000);
      assert.equal(
        directory.isCurrent(heard),
        false,
        "nothing may be remembered while changes are not heard",
      );
      if (performance.now() - lost < ttlMs - 200) {
        const cached = await directory.resolveTenant(request);
        assert.equal(cached.tenant.slug, "acme", "served from cache");
        assert.equal(directory.isCurrent(cached), false);
      }
      await waitFor(async () => {
        const error = await directory.resolveTenant(request).then(() => undefined, (e: unknown) => e);
        return error instanceof TenantDirectoryUnavailableError;
      }, ttlMs + 3_000);
      const error = await refusal(directory.resolveTenant(request));
      assert.equal(error.status, 503);
      assert.equal(error.headers["retry-after"], "5");
      assert.ok(!JSON.stringify(error).includes("postgres:postgres"));

      // 3. The database is back: the listener reconnects and requests are served again.
      proxy.start();
      await waitFor(() => Promise.resolve(directory.listening), 5_000);
      assert.equal((await directory.resolveTenant(request)).tenant.slug, "acme");
    } finally {
      await directory.close({ timeout: 0 });
      proxy.stop();
    }
  },
});

Deno.test({
  name: "TenantDirectory answers 503 at once when the application database is unreachable",
  async fn() {
    const databases = await testDatabases();
    const logs: string[] = [];
    const url = `postgresql://postgres:s3cret-pw@127.0.0.1:${closedPort()}/postgres`;
    const directory = new TenantDirectory({
      databaseUrl: url,
      keyring: databases.keyring,
      connectTimeoutSeconds: 1,
      log: (message) => logs.push(message),
    });
    try {
      const error = await refusal(directory.resolveTenant({ userId: USERS.alice }));
      assert.ok(error instanceof TenantDirectoryUnavailableError);
      const text = `${await seen(error)} ${error} ${logs.join(" ")}`;
      assert.ok(!text.includes("s3cret-pw") && !text.includes(url), text);
    } finally {
      await directory.close({ timeout: 0 });
    }
  },
});

Deno.test("TenantDirectory.fromEnv() needs SUPABASE_DB_URL", async () => {
  const keyring = await Keyring.fromKeys([generateKey()]);
  assert.throws(() => TenantDirectory.fromEnv(new Map(), { keyring }), TypeError);
});

Deno.test("TenantDirectory refuses a malformed database URL without quoting it", async () => {
  const keyring = await Keyring.fromKeys([generateKey()]);
  const databaseUrl = "postgresql://app:s3cret-pw@[not-a-host/postgres";
  const error = (() => {
    try {
      new TenantDirectory({ databaseUrl, keyring });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(error instanceof TypeError);
  assert.ok(!error.message.includes("s3cret-pw"), error.message);
});
