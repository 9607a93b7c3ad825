import assert from "node:assert/strict";
import postgres from "postgres";
import { DataSource } from "./data_source.ts";
import { DataSourceUnavailableError } from "./errors.ts";
import { DataSourcePools, type DataSourcePoolsOptions } from "./pools.ts";
import { TcpProxy } from "../testing/tcp_proxy.ts";
import { closedPort, testDatabases, testDataSource } from "./testdata/helpers.ts";

async function withPools(
  options: DataSourcePoolsOptions,
  fn: (pools: DataSourcePools) => Promise<void>,
): Promise<void> {
  const pools = new DataSourcePools({ endTimeoutSeconds: 1, ...options });
  try {
    await fn(pools);
  } finally {
    await pools.closeAll({ timeout: 0 });
  }
}

async function currentDatabase(pools: DataSourcePools, source: DataSource): Promise<string> {
  const [row] = await pools.run(source, (sql) => sql<{ db: string }[]>`select current_database() as db`);
  return row!.db;
}

/** Runs a query and returns the pool it ran on, to check later whether that pool was ended. */
async function poolOf(pools: DataSourcePools, source: DataSource): Promise<postgres.Sql> {
  return await pools.run(source, async (sql) => {
    await sql`select 1`;
    return sql;
  });
}

async function assertEnded(sql: postgres.Sql): Promise<void> {
  await assert.rejects(sql`select 1`, (error: { code?: string }) => error.code === "CONNECTION_ENDED");
}

Deno.test({
  name: "DataSourcePools.run() opens one pool per data source on first use and reuses it",
  async fn() {
    const databases = await testDatabases();
    await withPools({}, async (pools) => {
      const acme = testDataSource(databases.acmeUrl, { poolMax: 4 });
      const shared = testDataSource(databases.sharedUrl);
      assert.equal(pools.stats().pools.length, 0);
      assert.equal(await currentDatabase(pools, acme), "tenant_acme");
      assert.equal(await currentDatabase(pools, shared), "tenant_shared");
      const first = await poolOf(pools, acme);
      assert.equal(await poolOf(pools, acme), first);
      const stats = pools.stats();
      assert.deepEqual(stats.pools.map((pool) => [pool.dataSourceId, pool.max]), [[shared.id, 2], [
        acme.id,
        4,
      ]]);
      assert.equal(stats.allocatedConnections, 6);
    });
  },
});

Deno.test({
  name: "DataSourcePools keeps at most maxPools pools and ends the least recently used one",
  async fn() {
    const databases = await testDatabases();
    await withPools({ maxPools: 2 }, async (pools) => {
      const [a, b, c] = [1, 2, 3].map((n) => testDataSource(databases.sharedUrl, { name: `source_${n}` }));
      const poolA = await poolOf(pools, a!);
      const poolB = await poolOf(pools, b!);
      await poolOf(pools, a!); // a is now the most recently used
      await poolOf(pools, c!);
      assert.deepEqual(pools.stats().pools.map((pool) => pool.dataSourceName), ["source_1", "source_3"]);
      await assertEnded(poolB);
      assert.equal(await poolOf(pools, a!), poolA);
    });
  },
});

Deno.test({
  name: "DataSourcePools clips a new pool to the connection budget and frees budget by LRU eviction",
  async fn() {
    const databases = await testDatabases();
    await withPools({ connectionBudget: 15 }, async (pools) => {
      const [a, b, c] = [1, 2, 3].map((n) =>
        testDataSource(databases.sharedUrl, { name: `source_${n}`, poolMax: 10 })
      );
      await poolOf(pools, a!);
      await poolOf(pools, b!);
      assert.deepEqual(pools.stats().pools.map((pool) => pool.max), [10, 5]);
      assert.equal(pools.stats().allocatedConnections, 15);
      await poolOf(pools, c!); // no budget left: a (least recently used) goes
      const stats = pools.stats();
      assert.deepEqual(stats.pools.map((pool) => [pool.dataSourceName, pool.max]), [["source_2", 5], [
        "source_3",
        10,
      ]]);
      assert.equal(stats.allocatedConnections, 15);
    });
  },
});

Deno.test({
  name: "DataSourcePools replaces the pool of a data source whose credentials or size changed",
  async fn() {
    const databases = await testDatabases();
    await withPools({}, async (pools) => {
      const id = crypto.randomUUID();
      const before = testDataSource(databases.sharedUrl, { id, version: "k1:aaaa" });
      const old = await poolOf(pools, before);
      const after = testDataSource(databases.acmeUrl, { id, version: "k1:bbbb" });
      assert.equal(await currentDatabase(pools, after), "tenant_acme");
      await assertEnded(old);
      const resized = testDataSource(databases.acmeUrl, { id, version: "k1:bbbb", poolMax: 7 });
      await poolOf(pools, resized);
      assert.deepEqual(pools.stats().pools.map((pool) => [pool.version, pool.max]), [["k1:bbbb", 7]]);
      assert.equal(pools.stats().allocatedConnections, 7);
    });
  },
});

Deno.test({
  name: "DataSourcePools lets a request finish on a pool replaced under it, then ends that pool",
  async fn() {
    const databases = await testDatabases();
    await withPools({}, async (pools) => {
      const id = crypto.randomUUID();
      const before = testDataSource(databases.sharedUrl, { id, version: "k1:aaaa" });
      let proceed!: () => void;
      const replaced = new Promise<void>((resolve) => proceed = resolve);
      let oldPool: postgres.Sql | undefined;
      const running = pools.run(before, async (sql) => {
        oldPool = sql;
        await replaced; // the credentials change while this request is between two queries
        return await sql<{ db: string }[]>`select current_database() as db`;
      });
      const after = testDataSource(databases.acmeUrl, { id, version: "k1:bbbb" });
      assert.equal(await currentDatabase(pools, after), "tenant_acme");
      proceed();
      assert.deepEqual([...await running], [{ db: "tenant_shared" }]);
      await assertEnded(oldPool!);
      assert.equal(pools.stats().allocatedConnections, after.poolMax);
    });
  },
});

Deno.test({
  name: "DataSourcePools starts over with a new pool after a lost connection, and answers correctly",
  async fn() {
    const databases = await testDatabases();
    await withPools({}, async (pools) => {
      const source = testDataSource(databases.sharedUrl, { poolMax: 1 });
      const before = await poolOf(pools, source);
      // The server ends the session mid-query, as a restart or failover would.
      await assert.rejects(
        pools.run(source, (sql) => sql`select pg_terminate_backend(pg_backend_pid())`),
        (error) => error instanceof DataSourceUnavailableError && error.reason === "connection",
      );
      for (let i = 0; i < 3; i++) {
        assert.deepEqual([...await pools.run(source, (sql) => sql`select ${i}::int as v`)], [{ v: i }]);
      }
      assert.notEqual(await poolOf(pools, source), before);
      await assertEnded(before);
    });
  },
});

Deno.test({
  name: "DataSourcePools.invalidate() ends a data source's pool; the next run opens a new one",
  async fn() {
    const databases = await testDatabases();
    await withPools({}, async (pools) => {
      const source = testDataSource(databases.sharedUrl);
      const old = await poolOf(pools, source);
      await pools.invalidate(source.id);
      assert.equal(pools.stats().pools.length, 0);
      await assertEnded(old);
      assert.notEqual(await poolOf(pools, source), old);
      await pools.invalidate(crypto.randomUUID()); // unknown: nothing happens
    });
  },
});

Deno.test({
  name: "DataSourcePools rethrows query errors as they are, without tripping the breaker",
  async fn() {
    const databases = await testDatabases();
    await withPools({}, async (pools) => {
      const source = testDataSource(databases.sharedUrl);
      for (let i = 0; i < 5; i++) {
        await assert.rejects(
          pools.run(source, (sql) => sql`select * from no_such_table_here`),
          (error: { code?: string }) => error.code === "42P01",
        );
      }
      assert.equal(pools.stats().breakers[0]?.state, "closed");
      assert.equal(await currentDatabase(pools, source), "tenant_shared");
    });
  },
});

Deno.test("DataSourcePools turns prepared statements off through a transaction-mode pooler", async () => {
  await withPools({ random: () => 0 }, async (pools) => {
    const sources = [
      testDataSource("postgresql://app:pw@pooler.example.test:6543/postgres", { name: "transaction" }),
      testDataSource("postgresql://app:pw@pooler.example.test:5432/postgres", { name: "session" }),
      testDataSource("postgresql://app:pw@db.example.test/postgres?prepare=false", { name: "by_url" }),
      testDataSource("postgresql://app:pw@pgbouncer.example.test:6432/postgres", {
        name: "pgbouncer",
        directUrl: "postgresql://app:pw@db.example.test:5432/postgres",
      }),
    ];
    // Pools open lazily: nothing connects until the first query, so these hosts are never contacted.
    for (const source of sources) await pools.run(source, () => Promise.resolve());
    assert.deepEqual(
      pools.stats().pools.map((pool) => [pool.dataSourceName, pool.prepare, pool.maxLifetimeSeconds]),
      [["transaction", false, 1620], ["session", true, 1620], ["by_url", false, 1620], [
        "pgbouncer",
        false,
        1620,
      ]],
    );
  });
  await withPools({ prepare: false, transactionModePorts: [7777] }, async (pools) => {
    await pools.run(testDataSource("postgresql://app:pw@h.example.test/db"), () => Promise.resolve());
    assert.equal(pools.stats().pools[0]?.prepare, false);
  });
});

Deno.test("DataSourcePools jitters the max lifetime per pool by at most the configured fraction", async () => {
  const values = [0, 0.5, 0.999999];
  await withPools({ random: () => values.shift()! }, async (pools) => {
    for (let i = 0; i < 3; i++) {
      await pools.run(testDataSource("postgresql://app:pw@h.example.test/db"), () => Promise.resolve());
    }
    assert.deepEqual(pools.stats().pools.map((pool) => pool.maxLifetimeSeconds), [1620, 1800, 1980]);
  });
});

Deno.test({
  name: "DataSourcePools closes an open circuit when a probe gets through, long before its cool-down ends",
  async fn() {
    const databases = await testDatabases();
    const proxy = TcpProxy.start(Number(new URL(databases.sharedUrl).port));
    proxy.cut(); // the data source is down
    const options = {
      probeIntervalMs: 50,
      breaker: { failureThreshold: 1, coolDownMs: 600_000, maxCoolDownMs: 600_000 },
    };
    try {
      await withPools(options, async (pools) => {
        const source = testDataSource(proxy.url(databases.sharedUrl));
        const failure = await pools.run(source, (sql) => sql`select 1`).catch((e) => e);
        assert.equal((failure as DataSourceUnavailableError).reason, "connection");
        assert.equal(pools.stats().breakers[0]?.state, "open");
        await new Promise((resolve) => setTimeout(resolve, 300)); // probes fail while it is down
        assert.equal(pools.stats().breakers[0]?.state, "open");
        proxy.restore(); // it is back; only a probe can notice within a ten-minute cool-down
        for (let wait = 0; pools.stats().breakers[0]?.state !== "closed"; wait++) {
          assert.ok(wait < 200, "a probe closed the circuit");
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal(await currentDatabase(pools, source), "tenant_shared");
      });
    } finally {
      proxy.close();
    }
  },
});

Deno.test({
  name: "DataSourcePools fails fast for a data source on a closed port and spares the others",
  async fn() {
    const databases = await testDatabases();
    const secret = "cl0sed-port-pa55";
    await withPools({ connectTimeoutSeconds: 5 }, async (pools) => {
      const broken = testDataSource(`postgresql://app:${secret}@127.0.0.1:${closedPort()}/tenant_x`);
      const healthy = testDataSource(databases.sharedUrl);
      const started = performance.now();
      for (let i = 0; i < 3; i++) {
        const error = await pools.run(broken, (sql) => sql`select 1`).catch((e) => e);
        assert.ok(error instanceof DataSourceUnavailableError);
        assert.equal(error.reason, "connection");
      }
      assert.equal(pools.stats().breakers.find((b) => b.dataSourceId === broken.id)?.state, "open");
      let called = false;
      const fast = await pools.run(broken, () => {
        called = true;
        return Promise.resolve();
      }).catch((e) => e);
      assert.equal(called, false, "an open circuit must not run the request");
      assert.ok(fast instanceof DataSourceUnavailableError);
      assert.equal(fast.reason, "circuit_open");
      assert.equal(fast.retryAfterSeconds, 5);
      assert.equal(fast.status, 503);
      assert.equal(fast.toResponse().headers.get("retry-after"), "5");
      // Well under one connect timeout: refused connections are not waited for.
      assert.ok(performance.now() - started < 4_000);
      const text = `${fast} ${JSON.stringify(fast)} ${fast.message}`;
      assert.ok(!text.includes(secret) && !text.includes("tenant_x"), text);
      assert.equal(await currentDatabase(pools, healthy), "tenant_shared");
    });
  },
});

Deno.test("DataSourcePools refuses supabase and disabled data sources", async () => {
  await withPools({}, async (pools) => {
    const supabase = new DataSource({
      id: crypto.randomUUID(),
      name: "project",
      status: "active",
      isDefault: false,
      poolMax: 1,
      version: "k1:01",
      credentials: {
        kind: "supabase",
        credentials: { url: "https://x.supabase.co", anon_key: "a".repeat(20), service_key: "s".repeat(20) },
      },
    });
    await assert.rejects(pools.run(supabase, () => Promise.resolve()), TypeError);
    const disabled = testDataSource("postgresql://h.example.test/db", { status: "disabled" });
    await assert.rejects(
      pools.run(disabled, () => Promise.resolve()),
      (error) => error instanceof DataSourceUnavailableError && error.reason === "disabled",
    );
  });
});

Deno.test("DataSourcePools.closeAll() refuses later requests", async () => {
  const pools = new DataSourcePools();
  await pools.run(testDataSource("postgresql://h.example.test/db"), () => Promise.resolve());
  await pools.closeAll({ timeout: 0 });
  assert.equal(pools.stats().pools.length, 0);
  await assert.rejects(pools.run(testDataSource("postgresql://h.example.test/db"), () => Promise.resolve()));
});

Deno.test("DataSourcePools rejects options that cannot work", () => {
  const cases: DataSourcePoolsOptions[] = [
    { maxPools: 0 },
    { connectionBudget: 0 },
    { connectionBudget: 1.5 },
    { lifetimeJitter: 1 },
    { idleTimeoutSeconds: 0 },
    { breaker: { failureThreshold: 0 } },
  ];
  for (const options of cases) assert.throws(() => new DataSourcePools(options), RangeError);
});

Deno.test({
  name: "DataSourcePools opens one connection for the first requests to a cold pool, not one each",
  async fn() {
    const databases = await testDatabases();
    const applicationName = `gate-${crypto.randomUUID().slice(0, 8)}`;
    await withPools({ applicationName }, async (pools) => {
      const source = testDataSource(databases.sharedUrl, { poolMax: 10 });
      // Twenty requests arrive together; each counts the pool's connections once it runs.
      const seen = await Promise.all(Array.from({ length: 20 }, () =>
        pools.run(source, async (sql) => {
          const [row] = await sql<{ n: number }[]>`
            select count(*)::int as n from pg_stat_activity where application_name = ${applicationName}`;
          return row!.n;
        })));
      // The first to run saw its own connection only: the others waited for it instead of opening theirs.
      assert.equal(seen[0], 1);
      assert.ok(Math.max(...seen) < 10, `at most ${Math.max(...seen)} connections, not one per request`);
      assert.equal(pools.stats().pools[0]?.waiting, 0);
    });
  },
});

Deno.test({
  name: "DataSourcePools grows a pool one connection at a time up to its size while requests wait",
  async fn() {
    const databases = await testDatabases();
    await withPools({}, async (pools) => {
      const source = testDataSource(databases.sharedUrl, { poolMax: 4 });
      // Four requests that each hold a connection until all four hold one: possible only if the pool
      // opens a next connection as soon as a request holds its own.
      let arrived = 0;
      let allThere: () => void = () => {};
      const barrier = new Promise<void>((resolve) => allThere = resolve);
      const pids = await Promise.all(
        Array.from({ length: 4 }, () =>
          pools.run(source, async (sql, { connected }) => {
            const connection = await sql.reserve();
            try {
              connected();
              const [row] = await connection<{ pid: number }[]>`select pg_backend_pid() as pid`;
              if (++arrived === 4) allThere();
              await barrier;
              return row!.pid;
            } finally {
              connection.release();
            }
          })),
      );
      assert.equal(new Set(pids).size, 4);
      assert.equal(pools.stats().pools[0]?.connections, 4);
    });
  },
});

/**
 * A TCP forwarder that holds each new connection until {@linkcode HoldingProxy.letThrough}, so a test can
 * see how many connections a pool opens at the same time.
 */
class HoldingProxy {
  readonly port: number;
  #listener: Deno.TcpListener;
  #held: (() => void)[] = [];
  #conns = new Set<Deno.Conn>();
  mostHeld = 0;

  constructor(targetPort: number) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#listener = listener;
    this.port = listener.addr.port;
    void (async () => {
      try {
        for await (const client of listener) {
          this.#conns.add(client);
          void new Promise<void>((resolve) => {
            this.#held.push(resolve);
            this.mostHeld = Math.max(this.mostHeld, this.#held.length);
          }).then(async () => {
            const server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
            this.#conns.add(server);
            await Promise.allSettled([
              client.readable.pipeTo(server.writable),
              server.readable.pipeTo(client.writable),
            ]);
          }).catch(() => {});
        }
      } catch {
        // closed
      }
    })();
  }

  /** Connections accepted and held now. */
  get held(): number {
    return this.#held.length;
  }

  /** Forwards every connection held now. */
  letThrough(): void {
    for (const release of this.#held.splice(0)) release();
  }

  /** Waits until `n` connections are held (or 1 s passes); returns how many are. */
  async waitForHeld(n: number): Promise<number> {
    const deadline = Date.now() + 1_000;
    while (this.held < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50)); // and a moment for more that should not come
    return this.held;
  }

  close(): void {
    this.#listener.close();
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch {
        // closed
      }
    }
  }
}

Deno.test({
  name:
    "DataSourcePools opens a cold pool's first connection alone, then several together while requests wait",
  async fn() {
    const databases = await testDatabases();
    const proxy = new HoldingProxy(Number(new URL(databases.sharedUrl).port));
    try {
      await withPools({ openingAtOnce: 3, acquireTimeoutMs: 30_000 }, async (pools) => {
        const url = new URL(databases.sharedUrl);
        url.port = String(proxy.port);
        const source = testDataSource(url.toString(), { poolMax: 5 });
        // Six requests that each hold a connection until five do: the pool's size.
        let holding = 0;
        let allHeld: () => void = () => {};
        const held = new Promise<void>((resolve) => allHeld = resolve);
        const running = Array.from({ length: 6 }, () =>
          pools.run(source, async (sql, { connected }) => {
            const connection = await sql.reserve();
            try {
              connected();
              if (++holding === 5) allHeld();
              await held;
              await connection`select 1`;
            } finally {
              connection.release();
            }
          }));
        assert.equal(await proxy.waitForHeld(2), 1, "a cold pool opens its first connection alone");
        proxy.letThrough();
        assert.equal(await proxy.waitForHeld(3), 3, "then three together, for the requests still waiting");
        proxy.letThrough();
        assert.equal(await proxy.waitForHeld(2), 1, "and the last of the pool's five");
        proxy.letThrough();
        await Promise.all(running);
        assert.equal(proxy.mostHeld, 3);
        assert.equal(pools.stats().pools[0]!.connections, 5);
      });
    } finally {
      proxy.close();
    }
  },
});

Deno.test({
  name:
    "DataSourcePools.warm() opens the connections asked for, at most the pool's size, and leaves them idle",
  async fn() {
    const databases = await testDatabases();
    const applicationName = `warm-${crypto.randomUUID().slice(0, 8)}`;
    const backends = async () => {
      const sql = postgres(databases.sharedUrl, { max: 1, onnotice: () => {} });
      try {
        const [row] = await sql<{ n: number; active: number }[]>`
          select count(*)::int as n, count(*) filter (where state = 'active')::int as active
          from pg_stat_activity where application_name = ${applicationName}`;
        return row!;
      } finally {
        await sql.end();
      }
    };
    await withPools({ applicationName }, async (pools) => {
      const source = testDataSource(databases.sharedUrl, { poolMax: 4 });
      let checks = 0;
      const first = async (sql: postgres.Sql) => {
        checks++;
        await sql`select 1`;
      };
      const primed: number[] = [];
      const each = async (connection: postgres.ReservedSql) => {
        const [row] = await connection<{ pid: number }[]>`select pg_backend_pid() as pid`;
        primed.push(row!.pid);
      };
      assert.equal(await pools.warm(source, 3, { first, each }), 3);
      assert.equal(checks, 1, "the check runs once, on the first connection");
      assert.equal(new Set(primed).size, 3, "each connection is primed, each on its own server process");
      assert.deepEqual(await backends(), { n: 3, active: 0 });
      assert.equal(await pools.warm(source, 10, { first }), 4);
      assert.deepEqual(await backends(), { n: 4, active: 0 });
      const other = testDataSource(databases.sharedUrl, { poolMax: 4 });
      assert.equal(
        await pools.warm(other, 2),
        2,
        "without a first step too, counting only connections opened",
      );
      assert.deepEqual(await backends(), { n: 6, active: 0 });
      assert.equal(pools.stats().pools[0]!.running, 0);
      assert.equal(await currentDatabase(pools, source), "tenant_shared");
    });
  },
});

Deno.test({
  name: "DataSourcePools keeps one connection of an unused pool open past the idle timeout, and only one",
  async fn() {
    const databases = await testDatabases();
    const applicationName = `keep-${crypto.randomUUID().slice(0, 8)}`;
    const connectionsOpen = async (sql: postgres.Sql) => {
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where application_name = ${applicationName}`;
      return row!.n;
    };
    const observer = postgres(databases.sharedUrl, { max: 1, onnotice: () => {} });
    try {
      await withPools({ applicationName, idleTimeoutSeconds: 2, keepOneOpenSeconds: 5 }, async (pools) => {
        const source = testDataSource(databases.sharedUrl, { poolMax: 3 });
        // Three requests at once, each holding its connection until all three hold one.
        let holding = 0;
        let allHeld: () => void = () => {};
        const held = new Promise<void>((resolve) => allHeld = resolve);
        await Promise.all(Array.from({ length: 3 }, () =>
          pools.run(source, async (sql, { connected }) => {
            const connection = await sql.reserve();
            try {
              connected();
              await connection`select 1`;
              if (++holding === 3) allHeld();
              await held;
            } finally {
              connection.release();
            }
          })));
        assert.equal(await connectionsOpen(observer), 3);
        // Past the idle timeout (twice over) the others closed; one stays open.
        await new Promise((resolve) => setTimeout(resolve, 4_500));
        assert.equal(await connectionsOpen(observer), 1);
        assert.equal(pools.stats().pools[0]?.connections, 1);
        // Past keepOneOpenSeconds of no use, the idle timeout closes the last one too.
        await new Promise((resolve) => setTimeout(resolve, 4_000));
        assert.equal(await connectionsOpen(observer), 0);
        assert.equal(pools.stats().pools[0]?.connections, 0);
      });
    } finally {
      await observer.end({ timeout: 0 });
    }
  },
});

Deno.test({
  name: "DataSourcePools closes every idle connection with keepOneOpenSeconds 0",
  async fn() {
    const databases = await testDatabases();
    await withPools({ idleTimeoutSeconds: 1, keepOneOpenSeconds: 0 }, async (pools) => {
      const source = testDataSource(databases.sharedUrl, { poolMax: 2 });
      await currentDatabase(pools, source);
      assert.equal(pools.stats().pools[0]?.connections, 1);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      assert.equal(pools.stats().pools[0]?.connections, 0);
    });
  },
});
