/**
 * The load process of `npm run bench:load`, run as its own process so it never competes with the server
 * for an event loop: `concurrency` workers, each with one request in flight over keep-alive HTTP/1.1, each
 * bound to one tenant (worker i → tenant i mod 3) and cycling through {@linkcode MIX}: 70 % reads, 30 %
 * writes. A worker deletes the rows it inserts (insert → update → delete of its own row), so the tables
 * stay the same size however long the run; what is still in flight at the end is removed by the caller.
 *
 * It also samples the server's resident memory every second, on the same clock as the load's windows, so
 * "RSS after warm-up" is taken exactly when the measured window opens.
 *
 * Usage: `deno run -A bench/mixed_load_client.ts < config.json` (a {@linkcode MixedLoadConfig}); prints
 * one {@linkcode MixedLoadResult} as JSON on standard output, progress on standard error.
 *
 * @module
 */
import { rssKb } from "./_memory.ts";
import { supabaseJsHeaders } from "./workloads.ts";

/** What a request does, as supabase-js would send it. */
export type OperationKind = "get" | "list" | "insert" | "update" | "delete";

/**
 * One worker's cycle of ten requests: 4 GETs by id, 3 lists, 1 insert, 1 update and 1 delete. The update
 * and the delete hit the row the same worker inserted just before, so every insert is undone within the
 * cycle. Workers start at different points of the cycle, so at any moment all kinds are in flight.
 */
export const MIX: readonly OperationKind[] = [
  "get",
  "list",
  "insert",
  "get",
  "list",
  "update",
  "get",
  "list",
  "delete",
  "get",
];

/** One tenant under load: its slug (`x-tenant-id`), a member's access token, ids of its contacts. */
export interface LoadTenant {
  slug: string;
  accessToken: string;
  contactIds: string[];
}

/** What to send, for how long, and whose memory to watch. */
export interface MixedLoadConfig {
  /** `…/functions/v1/tenant-data`. */
  base: string;
  anonKey: string;
  tenants: LoadTenant[];
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Every row the load inserts has a name starting with this, so the caller can find leftovers. */
  marker: string;
  /** The process whose RSS is sampled every {@linkcode SAMPLE_MS}. */
  rssPid: number;
}

/** A failed request: any status outside 200–299, or 0 when no response came. */
export interface ErrorSample {
  phase: "warmup" | "measured";
  tenant: string;
  kind: OperationKind;
  status: number;
  /** The first 200 characters of the body (or of the network error). */
  body: string;
}

/** What one tenant and kind of request did. */
export interface Cell {
  /** Latency of each request that started and ended inside the measured window, ms, ascending. */
  latenciesMs: number[];
  /** Failed requests of the whole run (warm-up, window and the requests in flight at its end). */
  errors: number;
}

/** One RSS sample: milliseconds since the load started, KiB. */
export interface RssSample {
  atMs: number;
  kb: number;
}

/** What the run measured. */
export interface MixedLoadResult {
  /** The measured window, ms. */
  elapsedMs: number;
  /** By tenant slug, then kind. */
  cells: Record<string, Partial<Record<OperationKind, Cell>>>;
  errors: { warmup: number; measured: number };
  /** The first {@linkcode MAX_ERROR_SAMPLES} failures. */
  firstErrors: ErrorSample[];
  rss: {
    /** Every second from the start, plus the window's two edges. */
    samples: RssSample[];
    startKb: number;
    afterWarmupKb: number;
    endKb: number;
  };
}

/** RSS sampling period. */
export const SAMPLE_MS = 1000;
const MAX_ERROR_SAMPLES = 5;
const PROGRESS_EVERY_MS = 10_000;

/** One request, ready for `fetch`. */
export interface Planned {
  url: string;
  init: RequestInit;
}

/** The requests of one tenant, with headers built once (the scale benchmark's client uses them too). */
export class TenantRequests {
  readonly #base: string;
  readonly #get: Headers;
  readonly #list: Headers;
  readonly #insert: Headers;
  readonly #write: Headers;

  constructor(readonly tenant: LoadTenant, base: string, anonKey: string) {
    this.#base = `${base}/rest/v1/contacts`;
    const common = { anonKey, accessToken: tenant.accessToken, tenant: tenant.slug };
    this.#get = new Headers(supabaseJsHeaders({ ...common, accept: "application/vnd.pgrst.object+json" }));
    this.#list = new Headers(supabaseJsHeaders({ ...common, accept: "*/*" }));
    // supabase-js writes: Content-Profile instead of Accept-Profile, a JSON body.
    const write = (accept: string, prefer?: string) => {
      const headers = new Headers(supabaseJsHeaders({ ...common, accept }));
      headers.delete("accept-profile");
      headers.set("content-profile", "public");
      headers.set("content-type", "application/json");
      if (prefer) headers.set("prefer", prefer);
      return headers;
    };
    this.#insert = write("application/vnd.pgrst.object+json", "return=representation");
    this.#write = write("*/*");
  }

  /** `.from("contacts").select("*").eq("id", id).single()` */
  get(id: string): Planned {
    return { url: `${this.#base}?select=*&id=eq.${id}`, init: { headers: this.#get } };
  }

  /** `.select("id,name,email").not("account_id", "is", null).order("name").limit(20)` */
  list(): Planned {
    return {
      url: `${this.#base}?select=id%2Cname%2Cemail&account_id=not.is.null&order=name.asc&limit=20`,
      init: { headers: this.#list },
    };
  }

  /** `.insert({ name, email, job_title, tags }).select("id").single()` */
  insert(name: string): Planned {
    const row = { name, email: `${name}@load.test`, job_title: "Load test", tags: ["bench-load"] };
    return {
      url: `${this.#base}?select=id`,
      init: { method: "POST", headers: this.#insert, body: JSON.stringify(row) },
    };
  }

  /** `.update({ job_title }).eq("id", id)` */
  update(id: string, jobTitle: string): Planned {
    return {
      url: `${this.#base}?id=eq.${id}`,
      init: { method: "PATCH", headers: this.#write, body: JSON.stringify({ job_title: jobTitle }) },
    };
  }

  /** `.delete().eq("id", id)` */
  delete(id: string): Planned {
    return { url: `${this.#base}?id=eq.${id}`, init: { method: "DELETE", headers: this.#write } };
  }
}

/** Runs the load and returns what it measured. */
export async function runMixedLoad(config: MixedLoadConfig): Promise<MixedLoadResult> {
  const client = Deno.createHttpClient({ http1: true, http2: false });
  const tenants = config.tenants.map((tenant) => new TenantRequests(tenant, config.base, config.anonKey));
  const cells: MixedLoadResult["cells"] = {};
  const cell = (tenant: string, kind: OperationKind): Cell => {
    const byKind = cells[tenant] ??= {};
    return byKind[kind] ??= { latenciesMs: [], errors: 0 };
  };
  const errors = { warmup: 0, measured: 0 };
  const firstErrors: ErrorSample[] = [];
  let completed = 0;

  const begin = performance.now();
  const windowStart = begin + config.warmupMs;
  const windowEnd = windowStart + config.durationMs;
  const samples: RssSample[] = [];
  const sample = (): number => {
    const kb = rssKb(config.rssPid);
    samples.push({ atMs: Math.round(performance.now() - begin), kb });
    return kb;
  };
  const startKb = sample();
  let afterWarmupKb = NaN;
  let endKb = NaN;
  const edges = [
    new Promise<void>((resolve) => setTimeout(() => (afterWarmupKb = sample(), resolve()), config.warmupMs)),
    new Promise<void>((resolve) =>
      setTimeout(() => (endKb = sample(), resolve()), config.warmupMs + config.durationMs)
    ),
  ];
  let lastProgress = { at: begin, completed: 0 };
  const ticker = setInterval(() => {
    const now = performance.now();
    if (now >= windowEnd) return;
    const kb = sample();
    if (now - lastProgress.at < PROGRESS_EVERY_MS - SAMPLE_MS / 2) return;
    const rate = (completed - lastProgress.completed) / ((now - lastProgress.at) / 1000);
    console.error(
      `bench:load: ${((now - begin) / 1000).toFixed(0)} s${now < windowStart ? " (warm-up)" : ""}: ${
        rate.toFixed(0)
      } req/s, ${errors.warmup + errors.measured} errors, server RSS ${(kb / 1024).toFixed(1)} MiB`,
    );
    lastProgress = { at: now, completed };
  }, SAMPLE_MS);

  async function worker(index: number): Promise<void> {
    const requests = tenants[index % tenants.length] as TenantRequests;
    const slug = requests.tenant.slug;
    const ids = requests.tenant.contactIds;
    /** Rows this worker inserted and has not deleted yet, oldest first. */
    const own: string[] = [];
    let step = index % MIX.length;
    let sequence = 0;
    while (true) {
      const started = performance.now();
      if (started >= windowEnd) return;
      sequence++;
      let kind = MIX[step++ % MIX.length] as OperationKind;
      // Nothing of its own yet (a worker starting mid-cycle, or a failed insert): an update becomes the
      // insert, a delete a read, so a worker never holds more than one row.
      if (own.length === 0 && kind === "update") kind = "insert";
      if (own.length === 0 && kind === "delete") kind = "get";
      const planned = kind === "get"
        ? requests.get(ids[(index + sequence) % ids.length] as string)
        : kind === "list"
        ? requests.list()
        : kind === "insert"
        ? requests.insert(`${config.marker}-w${index}-${sequence}`)
        : kind === "update"
        ? requests.update(own.at(-1) as string, `Load test ${sequence}`)
        : requests.delete(own[0] as string);
      let status = 0;
      let body: string;
      try {
        const response = await fetch(planned.url, { ...planned.init, client });
        status = response.status;
        body = await response.text();
      } catch (error) {
        body = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      const ended = performance.now();
      completed++;
      const target = cell(slug, kind);
      const inserted = kind === "insert" ? insertedId(body) : undefined;
      if (status >= 200 && status <= 299 && (kind !== "insert" || inserted !== undefined)) {
        if (inserted !== undefined) own.push(inserted);
        if (kind === "delete") own.shift();
        if (started >= windowStart && ended <= windowEnd) target.latenciesMs.push(ended - started);
        continue;
      }
      const phase = ended < windowStart ? "warmup" : "measured";
      errors[phase]++;
      target.errors++;
      if (firstErrors.length < MAX_ERROR_SAMPLES) {
        firstErrors.push({ phase, tenant: slug, kind, status, body: body.slice(0, 200) });
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: config.concurrency }, (_, i) => worker(i)));
    await Promise.all(edges);
  } finally {
    clearInterval(ticker);
    client.close();
  }
  for (const byKind of Object.values(cells)) {
    for (const c of Object.values(byKind)) {
      c.latenciesMs = c.latenciesMs.sort((a, b) => a - b).map((ms) => Math.round(ms * 1000) / 1000);
    }
  }
  return {
    elapsedMs: config.durationMs,
    cells,
    errors,
    firstErrors,
    rss: { samples, startKb, afterWarmupKb, endKb },
  };
}

/** The id in an insert's `{"id": …}` body, or `undefined` when the body is something else. */
export function insertedId(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { id?: unknown } | null)?.id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

if (import.meta.main) {
  const config = JSON.parse(await new Response(Deno.stdin.readable).text()) as MixedLoadConfig;
  console.log(JSON.stringify(await runMixedLoad(config)));
}
