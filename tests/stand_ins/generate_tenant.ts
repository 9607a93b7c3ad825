/**
 * Deterministic generator of large synthetic tenants for the tenant database (`tenant-db/`): fills the 13
 * business tables of one tenant with `rows` rows in total, every foreign key satisfied, using COPY.
 *
 * Same seed, tenant and row count → the same rows, byte for byte: ids, values and timestamps all derive
 * from a small seeded PRNG. Ids are uuids laid out as `<hash(seed, tenant), 68 bits>-…-<table>…-<row index>`
 * (version 4 and variant bits set), so they are unique per table and tenant, and ascending within a table,
 * which keeps index inserts cheap.
 *
 * Connect as the database owner (the `postgres` user): row level security does not apply to the owner, so
 * rows of any tenant can be written. The whole tenant is written in one transaction. As a superuser the
 * transaction sets `session_replication_role = replica`, which skips foreign key checks and triggers: the
 * rows are consistent by construction (foreign keys, the address columns the sync trigger would fill, the
 * stage timestamps the event workflow would stamp), and generate_tenant_test.ts proves it by comparing with
 * a run that enforces them. Pass `enforce` (`--enforce`) to run checks and triggers anyway; a role that is not
 * a superuser always does. CHECK, NOT NULL and unique constraints apply either way.
 *
 * ```sh
 * deno run -A tests/stand_ins/generate_tenant.ts --db-url postgresql://postgres:postgres@127.0.0.1:54322/tenant_shared \
 *   --tenant 7c3e8a52-0000-4000-8000-000000000001 --rows 1000000 --seed 42 --replace
 * ```
 *
 * @module
 */
import postgres from "postgres";
import { defineCommand, runMain } from "citty";
import { Readable } from "node:stream";
import { copyInto } from "../../functions/_shared/postgres_js/mod.ts";

/** The 13 business tables, in foreign key order (parents first). */
export const TENANT_TABLES = [
  "accounts",
  "contacts",
  "pipeline_stages",
  "products",
  "opportunities",
  "opportunity_line_items",
  "venues",
  "events",
  "event_attendees",
  "tasks",
  "notes",
  "activities",
  "documents",
] as const;

/** One of the 13 business tables. */
export type TenantTable = typeof TENANT_TABLES[number];

/** Options of {@linkcode generateTenant}. */
export interface GenerateTenantOptions {
  /** The tenant the rows belong to (a uuid). */
  tenantId: string;
  /** Rows in total across the 13 tables; at least 13. */
  rows: number;
  /** Seed of the generator; the same seed gives the same rows. Default `1`. */
  seed?: string | number;
  /** Delete the tenant's existing rows first (in the same transaction). Default `false`. */
  replace?: boolean;
  /** Run foreign key checks and triggers row by row even as a superuser (about 1.5× slower). Default `false`. */
  enforce?: boolean;
  /** Called after each table is written, for progress output. */
  onTable?: (table: TenantTable, rows: number) => void;
}

/** What {@linkcode generateTenant} wrote. */
export interface GenerateTenantResult {
  tenantId: string;
  seed: string;
  /** Rows written in total. */
  rows: number;
  /** Rows written per table. */
  tables: Record<TenantTable, number>;
  /** Whether foreign key checks and triggers ran for every row (see the module documentation). */
  enforced: boolean;
  /** Wall-clock time of the whole transaction, in milliseconds. */
  elapsedMs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Writes a synthetic tenant of `options.rows` rows into the tenant database behind `sql`.
 *
 * @example
 * ```ts
 * const sql = postgres(url);
 * const result = await generateTenant(sql, { tenantId, rows: 100_000, seed: 7, replace: true });
 * console.log(result.tables.contacts, result.elapsedMs);
 * await sql.end();
 * ```
 */
export async function generateTenant(
  sql: postgres.Sql,
  options: GenerateTenantOptions,
): Promise<GenerateTenantResult> {
  if (!UUID.test(options.tenantId)) {
    throw new TypeError(`Cannot generate tenant: tenant id is not a uuid: "${options.tenantId}"`);
  }
  const tenantId = options.tenantId.toLowerCase();
  const seed = String(options.seed ?? 1);
  const counts = planCounts(options.rows);
  const started = performance.now();
  let enforced = true;

  await sql.begin(async (tx) => {
    const [role] = await tx<
      { superuser: boolean }[]
    >`select current_setting('is_superuser') = 'on' as superuser`;
    if (role?.superuser && !options.enforce) {
      await tx`set local session_replication_role = replica`;
      enforced = false;
    }
    if (options.replace) {
      for (const table of [...TENANT_TABLES].reverse()) {
        await tx`delete from ${tx("public." + table)} where tenant_id = ${tenantId}`;
      }
    }
    for (const table of TENANT_TABLES) {
      const context = createContext(seed, tenantId, table, counts);
      const columns = COLUMNS[table];
      const query = tx`copy ${tx("public." + table)} (${tx(columns as string[])}) from stdin`;
      await copyInto(query, [Readable.from(copyChunks(counts[table], ROWS[table], context))]);
      options.onTable?.(table, counts[table]);
    }
  });

  return {
    tenantId,
    seed,
    rows: options.rows,
    tables: counts,
    enforced,
    elapsedMs: Math.round(performance.now() - started),
  };
}

// Row counts -------------------------------------------------------------------------------------------

/** Share of the rows (besides pipeline_stages, which stay a handful) per table, in percent. */
const WEIGHTS: Record<Exclude<TenantTable, "pipeline_stages">, number> = {
  accounts: 6,
  contacts: 14,
  products: 2,
  opportunities: 8,
  opportunity_line_items: 14,
  venues: 1,
  events: 2,
  event_attendees: 12,
  tasks: 10,
  notes: 10,
  activities: 15,
  documents: 6,
};

function planCounts(rows: number): Record<TenantTable, number> {
  if (!Number.isSafeInteger(rows) || rows < TENANT_TABLES.length) {
    throw new RangeError(`Cannot generate tenant: rows must be an integer of at least 13: ${rows}`);
  }
  const stages = Math.min(6, Math.max(1, Math.floor(rows / 50)));
  const weighted = Object.keys(WEIGHTS) as (keyof typeof WEIGHTS)[];
  // Every table gets one row; the rest is shared by weight, largest remainders first.
  const spare = rows - stages - weighted.length;
  const shares = weighted.map((table) => {
    const exact = (spare * WEIGHTS[table]) / 100;
    return { table, rows: 1 + Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = rows - stages - shares.reduce((sum, share) => sum + share.rows, 0);
  for (
    const share of [...shares].sort((a, b) => b.remainder - a.remainder || a.table.localeCompare(b.table))
  ) {
    if (left === 0) break;
    share.rows += 1;
    left -= 1;
  }
  const counts = Object.fromEntries([
    ["pipeline_stages", stages],
    ...shares.map((share) => [share.table, share.rows]),
  ]) as Record<TenantTable, number>;
  // A contact attends an event once: attendees cannot outnumber (event, contact) pairs.
  const pairs = counts.events * counts.contacts;
  if (counts.event_attendees > pairs) {
    counts.activities += counts.event_attendees - pairs;
    counts.event_attendees = pairs;
  }
  return counts;
}

// Determinism ------------------------------------------------------------------------------------------

function fmix32(input: number): number {
  let h = input;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hash32(text: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** mulberry32: a small, fast PRNG with a 32-bit state; returns floats in [0, 1). */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Context {
  tenantId: string;
  counts: Record<TenantTable, number>;
  random: () => number;
  /** Per table: the fixed part of its ids, before the row index. */
  idPrefix: Record<TenantTable, string>;
  /** Synthetic users of the tenant (created_by, owners, assignees). */
  users: string[];
}

function createContext(
  seed: string,
  tenantId: string,
  table: TenantTable,
  counts: Record<TenantTable, number>,
): Context {
  const h = [1, 2, 3].map((salt) => hash32(`${seed}\u0000${tenantId}`, salt).toString(16).padStart(8, "0"))
    .join("");
  const idPrefix = Object.fromEntries(TENANT_TABLES.map((name, code) => [
    name,
    `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-8${code.toString(16)}${h.slice(15, 17)}-`,
  ])) as Record<TenantTable, string>;
  // Users get their own "table" nibble (f), so their ids never collide with row ids.
  const users = Array.from(
    { length: 8 },
    (_, i) =>
      `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-8f${h.slice(15, 17)}-${
        i.toString(16).padStart(12, "0")
      }`,
  );
  return {
    tenantId,
    counts,
    random: createRandom(hash32(`${seed}\u0000${tenantId}\u0000${table}`)),
    idPrefix,
    users,
  };
}

function id(context: Context, table: TenantTable, index: number): string {
  return context.idPrefix[table] + index.toString(16).padStart(12, "0");
}

function pick<T>(context: Context, values: readonly T[]): T {
  return values[Math.floor(context.random() * values.length)] as T;
}

function int(context: Context, below: number): number {
  return Math.floor(context.random() * below);
}

/** A pick that depends on the index only, so other tables can recompute it (names of contacts). */
function stablePick<T>(values: readonly T[], index: number, salt: number): T {
  return values[fmix32(index * 2654435761 + salt) % values.length] as T;
}

const EPOCH = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

function timestamp(ms: number): string {
  return new Date(ms).toISOString();
}

// COPY text format ---------------------------------------------------------------------------------------

type Value = string | number | boolean | null | undefined;

function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, function escape(c: string): string {
    return c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r";
  });
}

function line(values: readonly Value[]): string {
  return values.map(function field(value: Value): string {
    if (value === null || value === undefined) return "\\N";
    if (typeof value === "string") return copyText(value);
    return String(value);
  }).join("\t") + "\n";
}

function textArray(values: readonly string[]): string {
  return "{" + values.map((v) => '"' + v.replace(/["\\]/g, "\\$&") + '"').join(",") + "}";
}

function* copyChunks(
  count: number,
  row: (index: number, context: Context) => string,
  context: Context,
): Generator<string> {
  let chunk = "";
  for (let i = 0; i < count; i++) {
    chunk += row(i, context);
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

// Rows ---------------------------------------------------------------------------------------------------

const FIRST_NAMES = [
  "Ada",
  "Björn",
  "Chloé",
  "Dmitri",
  "Émile",
  "Fatima",
  "Grace",
  "Hiroshi",
  "Inès",
  "João",
  "Kwame",
  "Léa",
  "Mateo",
  "Nadia",
  "Oliver",
  "Priya",
  "Quinn",
  "Renée",
  "Søren",
  "Tomás",
  "Uma",
  "Zoë",
  "李",
];
const LAST_NAMES = [
  "Andersen",
  "Brown",
  "Çelik",
  "Dubois",
  "Eriksson",
  "García",
  "Hoffmann",
  "Ivanova",
  "Jones",
  "Kowalski",
  "López",
  "Müller",
  "Nakamura",
  "O'Brien",
  "Petrov",
  "Rossi",
  "Schmidt",
  "Tanaka",
  "Van der Berg",
  "王",
];
const COMPANY_WORDS = [
  "Acme",
  "Blue Ocean",
  "Cobalt",
  "Delta",
  "Everest",
  "Fjord",
  "Granite",
  "Harbor",
  "Iris",
  "Juniper",
  "Kestrel",
  "Lumen",
  "Meridian",
  "Nordlicht",
  "Orion",
  "Pioneer",
  "Quartz",
  "Riverside",
  "Summit",
  "Zürich",
];
const COMPANY_SUFFIXES = ["Ltd", "GmbH", "Inc.", "AG", "S.A.", "& Co.", "Holdings", "Group", "株式会社"];
const CITIES: readonly (readonly [string, string, string])[] = [
  ["Berlin", "BE", "DE"],
  ["München", "BY", "DE"],
  ["Zürich", "ZH", "CH"],
  ["Paris", "IDF", "FR"],
  ["Lisboa", "LI", "PT"],
  ["New York", "NY", "US"],
  ["Austin", "TX", "US"],
  ["Toronto", "ON", "CA"],
  ["東京", "13", "JP"],
  ["São Paulo", "SP", "BR"],
  ["Cork", "CO", "IE"],
  ["Kraków", "MA", "PL"],
];
const INDUSTRIES = [
  "Software",
  "Manufacturing",
  "Hospitality",
  "Finance",
  "Healthcare",
  "Retail",
  "Energy",
  "Media",
];
const LANGUAGES = ["en", "de", "fr", "ja", "pt-BR", "es"];
const STAGE_NAMES = ["Lead", "Qualified", "Proposal", "Negotiation", "Closed Won", "Closed Lost"];
const EVENT_TYPES = [
  "conference",
  "trade_show",
  "webinar",
  "workshop",
  "meetup",
  "dinner",
  "product_launch",
  "training",
];
const EVENT_PATH = [
  "planning",
  "pending_approval",
  "approved",
  "scheduled",
  "in_progress",
  "completed",
  "closed",
];
const EVENT_STATUSES = ["draft", ...EVENT_PATH, "cancelled"];

function personName(index: number): [string, string] {
  return [stablePick(FIRST_NAMES, index, 1), stablePick(LAST_NAMES, index, 2)];
}

function address(context: Context, index: number): Value[] {
  const [city, region, country] = pick(context, CITIES);
  const line1 = `${1 + int(context, 250)} ${
    pick(context, ["Hauptstraße", "Main Street", "Rue de la Paix", "Avenida Paulista", "King's Road"])
  }`;
  const line2 = index % 7 === 0 ? `Floor ${1 + int(context, 30)}` : null;
  const postal = String(10000 + int(context, 89999));
  const doc: Record<string, string> = { line1 };
  if (line2) doc.line2 = line2;
  Object.assign(doc, { city, region, postal_code: postal, country });
  return [JSON.stringify(doc), line1, line2, city, region, postal, country];
}

const ADDRESS_COLUMNS = [
  "address",
  "address_line1",
  "address_line2",
  "city",
  "region",
  "postal_code",
  "country",
];
const AUDIT_COLUMNS = ["created_at", "updated_at", "created_by"];

function audit(context: Context): Value[] {
  const created = EPOCH + int(context, 700) * DAY + int(context, DAY);
  const updated = created + (context.random() < 0.5 ? 0 : int(context, 30 * DAY));
  return [timestamp(created), timestamp(updated), pick(context, context.users)];
}

const COLUMNS: Record<TenantTable, readonly string[]> = {
  accounts: [
    "id",
    "tenant_id",
    "name",
    "account_type",
    "industry",
    "website",
    "domain",
    "employee_count",
    "annual_revenue",
    "currency",
    "owner_id",
    "parent_account_id",
    "tags",
    "is_active",
    ...ADDRESS_COLUMNS,
    ...AUDIT_COLUMNS,
  ],
  contacts: [
    "id",
    "tenant_id",
    "account_id",
    "name",
    "first_name",
    "last_name",
    "job_title",
    "email",
    "preferred_language",
    "is_primary",
    "do_not_contact",
    "tags",
    ...ADDRESS_COLUMNS,
    ...AUDIT_COLUMNS,
  ],
  pipeline_stages: [
    "id",
    "tenant_id",
    "name",
    "position",
    "probability",
    "is_closed_won",
    "is_closed_lost",
    ...AUDIT_COLUMNS,
  ],
  products: [
    "id",
    "tenant_id",
    "name",
    "sku",
    "category",
    "unit",
    "unit_price",
    "currency",
    "tax_rate",
    "is_active",
    ...AUDIT_COLUMNS,
  ],
  opportunities: [
    "id",
    "tenant_id",
    "account_id",
    "stage_id",
    "primary_contact_id",
    "name",
    "amount",
    "currency",
    "probability",
    "expected_close_date",
    "lead_source",
    "owner_id",
    ...AUDIT_COLUMNS,
  ],
  opportunity_line_items: [
    "id",
    "tenant_id",
    "opportunity_id",
    "product_id",
    "position",
    "quantity",
    "unit_price",
    "discount_percent",
    ...AUDIT_COLUMNS,
  ],
  venues: [
    "id",
    "tenant_id",
    "name",
    "venue_type",
    "capacity",
    "timezone",
    "amenities",
    ...ADDRESS_COLUMNS,
    ...AUDIT_COLUMNS,
  ],
  events: [
    "id",
    "tenant_id",
    "account_id",
    "opportunity_id",
    "venue_id",
    "owner_id",
    "name",
    "event_type",
    "priority",
    "starts_at",
    "ends_at",
    "timezone",
    "expected_attendance",
    "capacity",
    "catering_required",
    "catering_headcount",
    "staff_required",
    "currency",
    "budget_amount",
    "budget_spent",
    "approval_required",
    "approval_requested_by",
    "approved_by",
    "status",
    "previous_status",
    "status_changed_at",
    ...EVENT_PATH.map((s) => `${s}_at`),
    "cancelled_at",
    "cancellation_reason",
    ...AUDIT_COLUMNS,
  ],
  event_attendees: [
    "id",
    "tenant_id",
    "event_id",
    "contact_id",
    "full_name",
    "email",
    "status",
    "attendee_type",
    "registered_at",
    ...AUDIT_COLUMNS,
  ],
  tasks: [
    "id",
    "tenant_id",
    "title",
    "status",
    "priority",
    "due_at",
    "completed_at",
    "assigned_to",
    "account_id",
    "contact_id",
    "opportunity_id",
    "event_id",
    ...AUDIT_COLUMNS,
  ],
  notes: [
    "id",
    "tenant_id",
    "title",
    "body",
    "is_pinned",
    "account_id",
    "contact_id",
    "opportunity_id",
    "event_id",
    ...AUDIT_COLUMNS,
  ],
  activities: [
    "id",
    "tenant_id",
    "activity_type",
    "subject",
    "direction",
    "occurred_at",
    "duration_minutes",
    "account_id",
    "contact_id",
    "opportunity_id",
    "event_id",
    ...AUDIT_COLUMNS,
  ],
  documents: [
    "id",
    "tenant_id",
    "name",
    "document_type",
    "storage_bucket",
    "storage_path",
    "mime_type",
    "size_bytes",
    "version",
    "account_id",
    "opportunity_id",
    "event_id",
    ...AUDIT_COLUMNS,
  ],
};

function maybe(context: Context, probability: number, table: TenantTable): string | null {
  return context.random() < probability ? id(context, table, int(context, context.counts[table])) : null;
}

function parent(context: Context, table: TenantTable): string {
  return id(context, table, int(context, context.counts[table]));
}

function accountRow(i: number, c: Context): string {
  const name = `${stablePick(COMPANY_WORDS, i, 3)} ${stablePick(COMPANY_WORDS, i, 4)} ${
    stablePick(COMPANY_SUFFIXES, i, 5)
  } #${i}`;
  const domain = `account-${i}.example`;
  return line([
    id(c, "accounts", i),
    c.tenantId,
    name,
    pick(c, ["prospect", "customer", "customer", "partner", "vendor"]),
    pick(c, INDUSTRIES),
    `https://www.${domain}`,
    domain,
    5 + int(c, 50_000),
    int(c, 500_000_000) + 0.5,
    "USD",
    pick(c, c.users),
    // Every fourth account belongs to a group: its parent is an earlier account (no cycle, never itself).
    i % 4 === 3 ? id(c, "accounts", Math.floor(i / 4)) : null,
    textArray(i % 3 === 0 ? ["vip", "events"] : []),
    c.random() < 0.95,
    ...address(c, i),
    ...audit(c),
  ]);
}

function contactRow(i: number, c: Context): string {
  const [first, last] = personName(i);
  return line([
    id(c, "contacts", i),
    c.tenantId,
    maybe(c, 0.9, "accounts"),
    `${first} ${last}`,
    first,
    last,
    pick(c, ["CEO", "Head of Events", "Procurement Manager", "CFO", "Marketing Lead", null]),
    `contact.${i}@example.test`,
    pick(c, LANGUAGES),
    i % 10 === 0,
    c.random() < 0.03,
    textArray(i % 4 === 0 ? ["newsletter"] : []),
    ...(c.random() < 0.5 ? address(c, i) : [null, null, null, null, null, null, null]),
    ...audit(c),
  ]);
}

function stageRow(i: number, c: Context): string {
  const last = c.counts.pipeline_stages - 1;
  const name = c.counts.pipeline_stages === STAGE_NAMES.length ? STAGE_NAMES[i] as string : `Stage ${i + 1}`;
  const won = c.counts.pipeline_stages === STAGE_NAMES.length && i === last - 1;
  const lost = c.counts.pipeline_stages === STAGE_NAMES.length && i === last;
  return line([
    id(c, "pipeline_stages", i),
    c.tenantId,
    name,
    i + 1,
    won ? 100 : lost ? 0 : Math.round((100 * (i + 1)) / (last + 2)),
    won,
    lost,
    ...audit(c),
  ]);
}

function productRow(i: number, c: Context): string {
  return line([
    id(c, "products", i),
    c.tenantId,
    `${pick(c, ["Booth", "Streaming", "Catering", "Badge", "Licence", "Workshop"])} package "${i}"`,
    `SKU-${i.toString().padStart(7, "0")}`,
    pick(c, ["Exhibition", "Production", "Catering", "Software"]),
    pick(c, ["each", "hour", "day", "seat"]),
    (1 + int(c, 2_000_000)) / 100,
    "USD",
    pick(c, [0, 7.7, 19, 20]),
    c.random() < 0.9,
    ...audit(c),
  ]);
}

function opportunityRow(i: number, c: Context): string {
  const closeDay = EPOCH + int(c, 900) * DAY;
  return line([
    id(c, "opportunities", i),
    c.tenantId,
    parent(c, "accounts"),
    parent(c, "pipeline_stages"),
    maybe(c, 0.7, "contacts"),
    `Deal ${i} — ${pick(c, ["renewal", "expansion", "new business", "event sponsorship"])}`,
    int(c, 100_000_000) / 100,
    "USD",
    c.random() < 0.5 ? null : int(c, 101),
    timestamp(closeDay).slice(0, 10),
    pick(c, ["web", "referral", "event", "outbound", "partner"]),
    pick(c, c.users),
    ...audit(c),
  ]);
}

function lineItemRow(i: number, c: Context): string {
  const opportunities = c.counts.opportunities;
  return line([
    id(c, "opportunity_line_items", i),
    c.tenantId,
    id(c, "opportunities", i % opportunities),
    parent(c, "products"),
    Math.floor(i / opportunities),
    1 + int(c, 500),
    (1 + int(c, 500_000)) / 100,
    pick(c, [0, 0, 0, 5, 10, 12.5]),
    ...audit(c),
  ]);
}

function venueRow(i: number, c: Context): string {
  return line([
    id(c, "venues", i),
    c.tenantId,
    `${stablePick(COMPANY_WORDS, i, 6)} ${pick(c, ["Hall", "Hotel", "Forum", "Loft", "Garden"])} ${i}`,
    pick(c, ["hotel", "conference_center", "office", "restaurant", "outdoor"]),
    20 + int(c, 5000),
    pick(c, ["Europe/Berlin", "Europe/Paris", "America/New_York", "Asia/Tokyo"]),
    textArray(["wifi", pick(c, ["stage", "parking", "kitchen", "step-free access"])]),
    ...address(c, i),
    ...audit(c),
  ]);
}

function eventRow(i: number, c: Context): string {
  const [createdAt, , createdBy] = audit(c) as [string, string, string];
  const status = pick(c, EVENT_STATUSES);
  const starts = EPOCH + int(c, 900) * DAY + 9 * 3_600_000;
  const stamps: Record<string, string> = {};
  const passed = status === "draft"
    ? []
    : status === "cancelled"
    ? ["planning", "cancelled"]
    : EVENT_PATH.slice(0, EVENT_PATH.indexOf(status) + 1);
  let at = Date.parse(createdAt);
  for (const stage of passed) {
    at += (1 + int(c, 10)) * DAY;
    stamps[stage] = timestamp(at);
  }
  const previous = status === "draft" ? null : passed.length > 1 ? passed[passed.length - 2] : "draft";
  const budget = int(c, 50_000_000) / 100;
  return line([
    id(c, "events", i),
    c.tenantId,
    maybe(c, 0.8, "accounts"),
    maybe(c, 0.3, "opportunities"),
    maybe(c, 0.9, "venues"),
    pick(c, c.users),
    `${pick(c, ["Summit", "Expo", "Roadshow", "Gala", "Webinar", "Workshop"])} ${2024 + (i % 3)} #${i}`,
    pick(c, EVENT_TYPES),
    pick(c, ["low", "normal", "high", "critical"]),
    timestamp(starts),
    timestamp(starts + (3 + int(c, 40)) * 3_600_000),
    "Europe/Berlin",
    10 + int(c, 2000),
    50 + int(c, 5000),
    c.random() < 0.7,
    int(c, 500),
    1 + int(c, 40),
    "USD",
    budget,
    Math.round(budget * 40) / 100,
    true,
    stamps.pending_approval ? createdBy : null,
    stamps.approved ? pick(c, c.users) : null,
    status,
    previous,
    stamps[status] ?? createdAt,
    ...EVENT_PATH.map((s) => stamps[s] ?? null),
    stamps.cancelled ?? null,
    status === "cancelled" ? "Sponsor withdrew" : null,
    createdAt,
    stamps[status] ?? createdAt,
    createdBy,
  ]);
}

function attendeeRow(i: number, c: Context): string {
  const events = c.counts.events;
  const contact = Math.floor(i / events) % c.counts.contacts;
  const [first, last] = personName(contact);
  const status = pick(c, ["invited", "registered", "confirmed", "attended", "no_show", "waitlisted"]);
  const audited = audit(c);
  return line([
    id(c, "event_attendees", i),
    c.tenantId,
    id(c, "events", i % events),
    id(c, "contacts", contact),
    `${first} ${last}`,
    `contact.${contact}@example.test`,
    status,
    pick(c, ["guest", "guest", "speaker", "vip", "sponsor"]),
    status === "invited" ? null : audited[0],
    ...audited,
  ]);
}

function taskRow(i: number, c: Context): string {
  const status = pick(c, ["todo", "todo", "in_progress", "blocked", "done"]);
  const due = EPOCH + int(c, 900) * DAY;
  return line([
    id(c, "tasks", i),
    c.tenantId,
    `${pick(c, ["Call", "Email", "Book", "Confirm", "Chase"])} ${
      pick(c, ["venue", "caterer", "client", "AV crew", "PO"])
    } (#${i})`,
    status,
    pick(c, ["low", "normal", "high", "urgent"]),
    timestamp(due),
    status === "done" ? timestamp(due - DAY) : null,
    pick(c, c.users),
    maybe(c, 0.6, "accounts"),
    maybe(c, 0.3, "contacts"),
    maybe(c, 0.3, "opportunities"),
    maybe(c, 0.2, "events"),
    ...audit(c),
  ]);
}

function noteRow(i: number, c: Context): string {
  return line([
    id(c, "notes", i),
    c.tenantId,
    i % 3 === 0 ? null : `Note ${i}`,
    pick(c, [
      'Customer said: "we\'ll sign after the board meeting".',
      "Budget approved — waiting for the PO.",
      "Multi-line note:\nsecond line\tand a tab.",
      "Backslash C:\\path\\file and emoji 🎉.",
      "Prefers German: „Termin bestätigt“.",
    ]),
    i % 50 === 0,
    parent(c, "accounts"),
    maybe(c, 0.4, "contacts"),
    maybe(c, 0.3, "opportunities"),
    maybe(c, 0.1, "events"),
    ...audit(c),
  ]);
}

function activityRow(i: number, c: Context): string {
  const kind = pick(c, ["call", "email", "meeting", "demo", "site_visit", "event_check_in"]);
  const audited = audit(c);
  return line([
    id(c, "activities", i),
    c.tenantId,
    kind,
    `${kind.replace("_", " ")} #${i}`,
    kind === "site_visit" || kind === "event_check_in" ? null : pick(c, ["inbound", "outbound"]),
    audited[0],
    pick(c, [5, 15, 30, 60, 90]),
    parent(c, "accounts"),
    maybe(c, 0.7, "contacts"),
    maybe(c, 0.3, "opportunities"),
    kind === "event_check_in" ? parent(c, "events") : null,
    ...audited,
  ]);
}

function documentRow(i: number, c: Context): string {
  const kind = pick(c, ["proposal", "contract", "quote", "brochure", "floor_plan", "run_of_show"]);
  const documentId = id(c, "documents", i);
  return line([
    documentId,
    c.tenantId,
    `${kind.replace("_", " ")} ${i}.pdf`,
    kind,
    "documents",
    `${c.tenantId}/${documentId}.pdf`,
    "application/pdf",
    10_000 + int(c, 10_000_000),
    1 + int(c, 3),
    parent(c, "accounts"),
    maybe(c, 0.5, "opportunities"),
    maybe(c, 0.2, "events"),
    ...audit(c),
  ]);
}

const ROWS: Record<TenantTable, (index: number, context: Context) => string> = {
  accounts: accountRow,
  contacts: contactRow,
  pipeline_stages: stageRow,
  products: productRow,
  opportunities: opportunityRow,
  opportunity_line_items: lineItemRow,
  venues: venueRow,
  events: eventRow,
  event_attendees: attendeeRow,
  tasks: taskRow,
  notes: noteRow,
  activities: activityRow,
  documents: documentRow,
};

// CLI ----------------------------------------------------------------------------------------------------

async function readStdin(): Promise<string> {
  return (await new Response(Deno.stdin.readable).text()).trim();
}

function usageError(message: string): never {
  console.error(`generate_tenant: ${message} (see --help)`);
  Deno.exit(2);
}

const command = defineCommand({
  meta: {
    name: "generate_tenant",
    description: "Fill a tenant database with a deterministic synthetic tenant (COPY, one transaction)",
  },
  args: {
    "db-url": {
      type: "string",
      description: "Tenant database to write to, as the owner role; `-` reads it from standard input " +
        "(default: $TENANT_DB_URL)",
    },
    tenant: { type: "string", description: "Tenant id (uuid) the rows belong to", required: true },
    rows: {
      type: "string",
      description: "Rows in total across the 13 tables (at least 13)",
      default: "10000",
    },
    seed: { type: "string", description: "Seed; the same seed gives the same rows", default: "1" },
    replace: { type: "boolean", description: "Delete the tenant's existing rows first", default: false },
    enforce: {
      type: "boolean",
      description: "Run foreign key checks and triggers for every row even as a superuser (slower)",
      default: false,
    },
    json: { type: "boolean", description: "Print the result as JSON", default: false },
  },
  async run({ args }) {
    const url = args["db-url"] === "-" ? await readStdin() : args["db-url"] ?? Deno.env.get("TENANT_DB_URL");
    if (!url) usageError("missing --db-url (or TENANT_DB_URL)");
    if (!UUID.test(args.tenant)) usageError(`--tenant is not a uuid: "${args.tenant}"`);
    const rows = Number(args.rows.replaceAll("_", ""));
    if (!Number.isSafeInteger(rows) || rows < TENANT_TABLES.length) {
      usageError(`--rows must be an integer of at least 13: "${args.rows}"`);
    }

    const options: GenerateTenantOptions = {
      tenantId: args.tenant,
      rows,
      seed: args.seed,
      replace: args.replace,
    };
    if (!args.json) {
      options.onTable = function progress(table: TenantTable, count: number): void {
        console.error(`  ${table.padEnd(24)} ${count.toLocaleString("en-US").padStart(12)}`);
      };
    }
    const sql = postgres(url, { max: 1, onnotice: function ignore(): void {} });
    try {
      const result = await generateTenant(sql, options);
      if (args.json) {
        console.log(JSON.stringify(result));
      } else {
        console.log(
          `Wrote ${result.rows.toLocaleString("en-US")} rows for tenant ${result.tenantId} ` +
            `(seed ${result.seed}) in ${(result.elapsedMs / 1000).toFixed(1)} s` +
            (result.enforced ? "" : " (foreign key checks and triggers skipped: consistent by construction)"),
        );
      }
    } finally {
      await sql.end({ timeout: 5 });
    }
  },
});

if (import.meta.main) {
  await runMain(command);
}
