/**
 * The load process of `npm run bench:scale`, its own process like `mixed_load_client.ts` (whose requests
 * it sends): `concurrency` workers, each with one request in flight, each request to a tenant drawn from a
 * Zipf distribution over the tenants' popularity ranks (rank 1 most requested, a long tail touched
 * rarely), cycling through the same 70 % reads / 30 % writes ({@linkcode MIX}); a worker updates and
 * deletes only rows it inserted.
 *
 * It also measures what the scale benchmark reports: the first request to each tenant and to each data
 * source (cold), errors by status and code, the server's RSS every second, and, at given times, removes a
 * member and suspends a tenant through the admin API while a probe keeps asking as them every 20 ms: the
 * time from the admin call's answer to the first refused request.
 *
 * Usage: `deno run -A bench/scale_load_client.ts < config.json` (a {@linkcode ScaleLoadConfig}); prints one
 * {@linkcode ScaleLoadResult} as JSON on standard output, progress on standard error.
 *
 * @module
 */
import { rssKb } from "./_memory.ts";
import { serverTimingDurations } from "./_stats.ts";
import { insertedId, MIX, type OperationKind, type Planned, TenantRequests } from "./mixed_load_client.ts";

/** One tenant of the scale data set, in popularity order. */
export interface ScaleTenant {
  slug: string;
  /** The name of its data source. */
  dataSource: string;
  /** A member's (its owner's) access token. */
  accessToken: string;
  contactIds: string[];
}

/** A change made through the admin API during the load, and the probe that measures it. */
export interface ScaleChange {
  kind: "revoke" | "suspend";
  /** Milliseconds after the load starts. */
  atMs: number;
  tenant: string;
  /** `revoke`: the member removed; the probe asks as them. */
  userId?: string;
  /** The probe's token: the removed member's, or a member of the suspended tenant. */
  accessToken: string;
  contactIds: string[];
}

/** What to send, for how long, and whose memory to watch. */
export interface ScaleLoadConfig {
  /** `…/functions/v1/tenant-data`. */
  base: string;
  /** `…/functions/v1/tenant-admin`. */
  adminBase: string;
  anonKey: string;
  serviceRoleKey: string;
  /** Most popular first. */
  tenants: ScaleTenant[];
  /** The Zipf exponent s: rank r is requested in proportion to 1 / r^s. */
  zipfExponent: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  marker: string;
  rssPid: number;
  changes: ScaleChange[];
  /**
   * Data sources whose tenants get no request until `untilMs` after the load began: their first requests
   * then meet a server that is warm and under load, the pools opened ahead at its start closed again by
   * their idle timeout (30 s): a cold data source under load, apart from the server's own start.
   */
  heldBack?: { dataSources: string[]; untilMs: number };
}

/** Latencies (ms, ascending) and how many. */
export interface LatencySet {
  latenciesMs: number[];
}

/** One cold request: ms since the load began, its latency, and the stages the gateway timed. */
export interface ColdSample {
  /** The data source's name. */
  dataSource: string;
  /** What the request did: a read by id, a list, an insert. */
  kind: OperationKind;
  atMs: number;
  ms: number;
  serverTiming: string | null;
  /** The handler's own time (`Server-Timing` `total`); null when the gateway did not say. */
  handlerMs: number | null;
  /**
   * The client's latency less the handler's time: sending, waiting in front of the handler (accepted but
   * queued behind other requests on a busy server), and the response's way back.
   */
  outsideHandlerMs: number | null;
  /** The wait for a turn on the data source's pool (`Server-Timing` `pool`). */
  poolMs: number | null;
  /**
   * The median latency of warm requests (to a tenant and data source requested before) started within
   * {@linkcode SAME_MOMENT_MS} of this one; null when there were none.
   */
  warmNearbyMs: number | null;
  /** `ms` less `warmNearbyMs`: what being first cost over a warm request at the same moment. */
  addedMs: number | null;
}

/** A request's time split: inside the gateway's handler and outside it (ms, each ascending). */
export interface HandlerSplit {
  handlerMs: number[];
  outsideHandlerMs: number[];
}

/** What a change measured. */
export interface ChangeResult {
  kind: ScaleChange["kind"];
  tenant: string;
  /** The admin call's status. */
  status: number;
  /** From the admin call's answer to the first refused probe request; null when none was refused. */
  effectiveAfterMs: number | null;
  /** Probe requests answered 200 before the change, so it was served until then. */
  servedBefore: number;
}

/** What the run measured. */
export interface ScaleLoadResult {
  elapsedMs: number;
  /** Requests of the measured window, all tenants, successful. */
  measured: LatencySet;
  /** Requests of the window to a tenant that had been requested before (warm). */
  warm: LatencySet;
  /** The first request to each tenant, whole run (cold tenant: routing and membership not cached). */
  coldTenant: LatencySet;
  /** The first request to each data source, whole run (cold pool, catalog not loaded). */
  coldDataSource: LatencySet;
  /** Each data source's first request: when in the run, how long, and the gateway's `Server-Timing`. */
  coldDataSourceSamples: ColdSample[];
  /** The first request of each held-back data source, once released (see `heldBack`). */
  coldDataSourceUnderLoad: LatencySet;
  /** Each data source's first request less the warm requests' median at the same moment (ascending). */
  coldDataSourceAdded: LatencySet;
  /** The same for the held-back data sources. */
  coldDataSourceUnderLoadAdded: LatencySet;
  /** The measured window's successful requests, split into the handler's time and the rest. */
  measuredSplit: HandlerSplit;
  /** The requests sent in the run's first second (the burst of a fresh server), latency and split. */
  firstSecond: LatencySet & HandlerSplit;
  /** Requests of the whole run by outcome: `200`, `403 TR403`, `503 TR506`, `0 network`… */
  outcomes: Record<string, number>;
  /** Failures other than the expected refusals of the changes, whole run, by outcome. */
  errors: Record<string, number>;
  /** The first few failures with their bodies. */
  firstErrors: { tenant: string; kind: OperationKind; status: number; body: string }[];
  /** Requests of the whole run and of the window. */
  requests: { total: number; measured: number };
  tenantsTouched: number;
  dataSourcesTouched: number;
  changes: ChangeResult[];
  /** `wallMs`: `Date.now()` of the sample, to line it up with the bench's connection samples. */
  rss: { samples: { atMs: number; wallMs: number; kb: number }[]; afterWarmupKb: number; endKb: number };
}

const MAX_ERROR_SAMPLES = 8;
/** Warm requests started this close (ms, either side) to a cold one are its comparison. */
const SAME_MOMENT_MS = 500;
const PROBE_EVERY_MS = 20;

/** Cumulative probabilities of ranks 1…n under Zipf(s). */
function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let rank = 1; rank <= n; rank++) cdf[rank - 1] = sum += 1 / rank ** s;
  for (let i = 0; i < n; i++) cdf[i] = (cdf[i] as number) / sum;
  return cdf;
}

/** The index whose cumulative probability first reaches `u`. */
function draw(cdf: Float64Array, u: number): number {
  let low = 0;
  let high = cdf.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((cdf[mid] as number) < u) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The outcome of a response: its status and, for a JSON error, its code. */
function outcomeOf(status: number, body: string): string {
  if (status >= 200 && status <= 299) return String(status);
  if (status === 0) return "0 network";
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === "string" ? `${status} ${code}` : String(status);
  } catch {
    return String(status);
  }
}

/** Runs the load and returns what it measured. */
export async function runScaleLoad(config: ScaleLoadConfig): Promise<ScaleLoadResult> {
  const client = Deno.createHttpClient({ http1: true, http2: false });
  const requests = config.tenants.map((tenant) =>
    new TenantRequests(
      { slug: tenant.slug, accessToken: tenant.accessToken, contactIds: tenant.contactIds },
      config.base,
      config.anonKey,
    )
  );
  const cdf = zipfCdf(config.tenants.length, config.zipfExponent);
  const result: ScaleLoadResult = {
    elapsedMs: config.durationMs,
    measured: { latenciesMs: [] },
    warm: { latenciesMs: [] },
    coldTenant: { latenciesMs: [] },
    coldDataSource: { latenciesMs: [] },
    coldDataSourceSamples: [],
    coldDataSourceUnderLoad: { latenciesMs: [] },
    coldDataSourceAdded: { latenciesMs: [] },
    coldDataSourceUnderLoadAdded: { latenciesMs: [] },
    measuredSplit: { handlerMs: [], outsideHandlerMs: [] },
    firstSecond: { latenciesMs: [], handlerMs: [], outsideHandlerMs: [] },
    outcomes: {},
    errors: {},
    firstErrors: [],
    requests: { total: 0, measured: 0 },
    tenantsTouched: 0,
    dataSourcesTouched: 0,
    changes: [],
    rss: { samples: [], afterWarmupKb: NaN, endKb: NaN },
  };
  const touchedTenants = new Set<number>();
  const touchedSources = new Set<string>();
  /** Every successful warm request of the run: when it started (ms since the load began) and its latency. */
  const warmTimeline: { atMs: number; ms: number }[] = [];
  const heldBack = new Set(config.heldBack?.dataSources ?? []);
  const releasedAt = config.heldBack?.untilMs ?? 0;
  /** A tenant by popularity, skipping those of a held-back data source until its release. */
  const drawTenant = () => {
    for (;;) {
      const index = draw(cdf, Math.random());
      const source = (config.tenants[index] as ScaleTenant).dataSource;
      if (!heldBack.has(source) || performance.now() - begin >= releasedAt) return index;
    }
  };
  /** Slug → since when (performance.now()) its refusals are expected. */
  const refusedFrom = new Map<string, number>();

  const begin = performance.now();
  const windowStart = begin + config.warmupMs;
  const windowEnd = windowStart + config.durationMs;
  const sample = () => {
    const kb = rssKb(config.rssPid);
    result.rss.samples.push({ atMs: Math.round(performance.now() - begin), wallMs: Date.now(), kb });
    return kb;
  };
  sample();
  const edges = [
    new Promise<void>((resolve) =>
      setTimeout(() => (result.rss.afterWarmupKb = sample(), resolve()), config.warmupMs)
    ),
    new Promise<void>((resolve) =>
      setTimeout(() => (result.rss.endKb = sample(), resolve()), config.warmupMs + config.durationMs)
    ),
  ];
  let lastProgress = { at: begin, total: 0 };
  const ticker = setInterval(() => {
    const now = performance.now();
    if (now >= windowEnd) return;
    const kb = sample();
    if (now - lastProgress.at < 9_500) return;
    const rate = (result.requests.total - lastProgress.total) / ((now - lastProgress.at) / 1000);
    const errors = Object.values(result.errors).reduce((a, b) => a + b, 0);
    console.error(
      `bench:scale: ${((now - begin) / 1000).toFixed(0)} s${now < windowStart ? " (warm-up)" : ""}: ${
        rate.toFixed(0)
      } req/s, ${touchedTenants.size} tenants and ${touchedSources.size} data sources touched, ${errors} errors, server RSS ${
        (kb / 1024).toFixed(1)
      } MiB`,
    );
    lastProgress = { at: now, total: result.requests.total };
  }, 1000);

  async function send(
    planned: Planned,
  ): Promise<{ status: number; body: string; serverTiming: string | null }> {
    try {
      const response = await fetch(planned.url, { ...planned.init, client });
      return {
        status: response.status,
        body: await response.text(),
        serverTiming: response.headers.get("server-timing"),
      };
    } catch (error) {
      const body = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { status: 0, body, serverTiming: null };
    }
  }

  async function worker(index: number): Promise<void> {
    const own: { tenant: number; id: string }[] = [];
    let step = index % MIX.length;
    let sequence = 0;
    while (performance.now() < windowEnd) {
      sequence++;
      let kind = MIX[step++ % MIX.length] as OperationKind;
      if (own.length === 0 && kind === "update") kind = "insert";
      if (own.length === 0 && kind === "delete") kind = "get";
      const tenantIndex = kind === "update"
        ? (own.at(-1) as { tenant: number }).tenant
        : kind === "delete"
        ? (own[0] as { tenant: number }).tenant
        : drawTenant();
      const tenant = config.tenants[tenantIndex] as ScaleTenant;
      const tenantRequests = requests[tenantIndex] as TenantRequests;
      const planned = kind === "get"
        ? tenantRequests.get(tenant.contactIds[sequence % tenant.contactIds.length] as string)
        : kind === "list"
        ? tenantRequests.list()
        : kind === "insert"
        ? tenantRequests.insert(`${config.marker}-w${index}-${sequence}`)
        : kind === "update"
        ? tenantRequests.update((own.at(-1) as { id: string }).id, `Load test ${sequence}`)
        : tenantRequests.delete((own[0] as { id: string }).id);
      const coldTenant = !touchedTenants.has(tenantIndex);
      const coldSource = !touchedSources.has(tenant.dataSource);
      touchedTenants.add(tenantIndex);
      touchedSources.add(tenant.dataSource);
      const started = performance.now();
      const { status, body, serverTiming } = await send(planned);
      const ended = performance.now();
      const ms = Math.round((ended - started) * 1000) / 1000;
      const outcome = outcomeOf(status, body);
      result.requests.total++;
      result.outcomes[outcome] = (result.outcomes[outcome] ?? 0) + 1;
      const inWindow = started >= windowStart && ended <= windowEnd;
      if (inWindow) result.requests.measured++;
      const inserted = kind === "insert" ? insertedId(body) : undefined;
      if (status >= 200 && status <= 299 && (kind !== "insert" || inserted !== undefined)) {
        if (inserted !== undefined) own.push({ tenant: tenantIndex, id: inserted });
        if (kind === "delete") own.shift();
        const stages = serverTimingDurations(serverTiming);
        const handlerMs = stages.total ?? null;
        const outsideHandlerMs = handlerMs === null ? null : Math.round((ms - handlerMs) * 1000) / 1000;
        const split = (into: HandlerSplit) => {
          if (handlerMs === null || outsideHandlerMs === null) return;
          into.handlerMs.push(handlerMs);
          into.outsideHandlerMs.push(outsideHandlerMs);
        };
        if (coldTenant) result.coldTenant.latenciesMs.push(ms);
        if (coldSource) {
          result.coldDataSource.latenciesMs.push(ms);
          result.coldDataSourceSamples.push({
            dataSource: tenant.dataSource,
            kind,
            atMs: Math.round(started - begin),
            ms,
            serverTiming,
            handlerMs,
            outsideHandlerMs,
            poolMs: stages.pool ?? null,
            warmNearbyMs: null,
            addedMs: null,
          });
          if (heldBack.has(tenant.dataSource)) result.coldDataSourceUnderLoad.latenciesMs.push(ms);
        }
        if (!coldTenant && !coldSource) warmTimeline.push({ atMs: started - begin, ms });
        if (started - begin < 1000) {
          result.firstSecond.latenciesMs.push(ms);
          split(result.firstSecond);
        }
        if (inWindow) {
          result.measured.latenciesMs.push(ms);
          split(result.measuredSplit);
          if (!coldTenant) result.warm.latenciesMs.push(ms);
        }
        continue;
      }
      // A row of a tenant suspended since: it stays for the caller to remove.
      if ((kind === "update" || kind === "delete") && refusedFrom.has(tenant.slug)) {
        own.splice(kind === "update" ? own.length - 1 : 0, 1);
      }
      // A request in flight when the suspension landed is refused too: expected.
      const expected = status === 403 && (refusedFrom.get(tenant.slug) ?? Infinity) <= ended;
      if (expected) continue;
      result.errors[outcome] = (result.errors[outcome] ?? 0) + 1;
      if (result.firstErrors.length < MAX_ERROR_SAMPLES) {
        result.firstErrors.push({ tenant: tenant.slug, kind, status, body: body.slice(0, 200) });
      }
    }
  }

  async function change(spec: ScaleChange): Promise<void> {
    const probe = new TenantRequests(
      { slug: spec.tenant, accessToken: spec.accessToken, contactIds: spec.contactIds },
      config.base,
      config.anonKey,
    );
    let servedBefore = 0;
    const delay = begin + spec.atMs - performance.now();
    // Before the change: the probe is served.
    const probeUntil = performance.now() + Math.max(0, delay);
    while (performance.now() < probeUntil) {
      const { status } = await send(probe.list());
      if (status === 200) servedBefore++;
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
    const path = spec.kind === "revoke"
      ? `/tenants/${spec.tenant}/members/${spec.userId}`
      : `/tenants/${spec.tenant}/suspend`;
    const sentAt = performance.now();
    const response = await fetch(`${config.adminBase}${path}`, {
      method: spec.kind === "revoke" ? "DELETE" : "POST",
      headers: { apikey: config.serviceRoleKey, authorization: `Bearer ${config.serviceRoleKey}` },
      client,
    });
    await response.body?.cancel();
    const changedAt = performance.now();
    // From the moment the change is sent, a refusal of the suspended tenant is the change taking effect.
    if (spec.kind === "suspend") refusedFrom.set(spec.tenant, sentAt);
    let effectiveAfterMs: number | null = null;
    while (performance.now() < windowEnd && performance.now() - changedAt < 10_000) {
      const { status } = await send(probe.list());
      if (status === 403) {
        effectiveAfterMs = Math.round((performance.now() - changedAt) * 10) / 10;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
    result.changes.push({
      kind: spec.kind,
      tenant: spec.tenant,
      status: response.status,
      effectiveAfterMs,
      servedBefore,
    });
  }

  try {
    await Promise.all([
      ...Array.from({ length: config.concurrency }, (_, i) => worker(i)),
      ...config.changes.map(change),
    ]);
    await Promise.all(edges);
  } finally {
    clearInterval(ticker);
    client.close();
  }
  warmTimeline.sort((a, b) => a.atMs - b.atMs);
  for (const cold of result.coldDataSourceSamples) {
    cold.warmNearbyMs = medianNear(warmTimeline, cold.atMs);
    if (cold.warmNearbyMs === null) continue;
    cold.addedMs = Math.round((cold.ms - cold.warmNearbyMs) * 1000) / 1000;
    result.coldDataSourceAdded.latenciesMs.push(cold.addedMs);
    const source = cold.dataSource;
    if (heldBack.has(source)) result.coldDataSourceUnderLoadAdded.latenciesMs.push(cold.addedMs);
  }
  for (
    const set of [
      result.coldDataSourceAdded,
      result.coldDataSourceUnderLoadAdded,
      result.measured,
      result.warm,
      result.coldTenant,
      result.coldDataSource,
      result.coldDataSourceUnderLoad,
    ]
  ) {
    set.latenciesMs.sort((a, b) => a - b);
  }
  for (const list of [result.measuredSplit, result.firstSecond]) {
    for (const values of Object.values(list)) values.sort((a: number, b: number) => a - b);
  }
  result.tenantsTouched = touchedTenants.size;
  result.dataSourcesTouched = touchedSources.size;
  return result;
}

/** The median latency of the timeline's requests started within {@linkcode SAME_MOMENT_MS} of `atMs`. */
function medianNear(timeline: { atMs: number; ms: number }[], atMs: number): number | null {
  let low = 0;
  let high = timeline.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((timeline[mid] as { atMs: number }).atMs < atMs - SAME_MOMENT_MS) low = mid + 1;
    else high = mid;
  }
  const nearby: number[] = [];
  for (
    let i = low;
    i < timeline.length && (timeline[i] as { atMs: number }).atMs <= atMs + SAME_MOMENT_MS;
    i++
  ) {
    nearby.push((timeline[i] as { ms: number }).ms);
  }
  if (nearby.length === 0) return null;
  nearby.sort((a, b) => a - b);
  return nearby[Math.floor((nearby.length - 1) / 2)] as number;
}

if (import.meta.main) {
  const config = JSON.parse(await new Response(Deno.stdin.readable).text()) as ScaleLoadConfig;
  console.log(JSON.stringify(await runScaleLoad(config)));
}
