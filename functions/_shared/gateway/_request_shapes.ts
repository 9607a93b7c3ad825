/**
 * Plans and SQL kept per request shape, so a read that recurs with other values skips parse, plan and sql.
 *
 * @module
 */
import {
  type ApiRequest,
  type Catalog,
  nestsTooDeep,
  parseRequest,
  type SqlQuery,
} from "../postgrest/mod.ts";

/**
 * A read's shape: everything that decides its plan and SQL (data source, method, path, query string,
 * the headers the parser reads), with the operands of plain comparisons (`col=eq.<value>`, likewise
 * `neq gt gte lt lte`) masked out; `values` are those operands, decoded as the parser decodes them.
 */
export interface RequestShape {
  key: string;
  values: string[];
  /** The raw query string's parameters, for building a request with other operands. */
  segments: string[];
  /** Indexes in `segments` of the masked parameters, in the order of `values`. */
  masked: number[];
}

/** A shape learnt: its plan's SQL, and where each masked operand goes among the bind parameters. */
export interface ShapeEntry {
  /** The catalog snapshot the SQL was planned against: another snapshot plans afresh. */
  catalog: Catalog;
  /** The first request of the shape: its method, action and preferences (the same for the shape). */
  request: ApiRequest;
  query: SqlQuery;
  /** `query.statement.params` index of each of the shape's values. */
  slots: number[];
}

/** The operators whose operand PostgREST binds verbatim as one parameter (no pattern, list or keyword). */
const VERBATIM = /^(eq|neq|gt|gte|lt|lte)\./;
/** Parameters that are not filters (`order`, `limit`… also on embedded levels: `contacts.limit`). */
const RESERVED_ROOT = new Set(["select", "columns", "on_conflict"]);
const RESERVED_ANY_LEVEL = new Set(["order", "limit", "offset", "and", "or"]);
const HEADERS = ["accept", "accept-profile", "range", "range-unit", "prefer"] as const;

/**
 * The shape of a GET or HEAD request (other methods carry a body: none is kept), or `undefined` when the
 * query string holds something not worth the trouble (a malformed percent sequence) or that the parser
 * refuses (an operand nested too deep).
 */
export function requestShape(
  request: Request,
  url: URL,
  path: string,
  scope: string,
): RequestShape | undefined {
  if (request.method !== "GET" && request.method !== "HEAD") return undefined;
  const search = url.search.slice(1);
  const segments = search === "" ? [] : search.split("&");
  const values: string[] = [];
  const masked: number[] = [];
  let key = `${scope}\n${request.method}\n${path}\n`;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const equals = segment.indexOf("=");
    const name = equals === -1 ? segment : segment.slice(0, equals);
    const raw = equals === -1 ? "" : segment.slice(equals + 1);
    const operator = VERBATIM.exec(raw);
    if (operator === null || !isFilterName(name)) {
      key += `${segment}&`;
      continue;
    }
    const operand = decode(raw.slice(operator[0].length));
    // Left to the parser, which refuses it: bound as it is, it could reach PostgreSQL's JSON parser.
    if (operand === undefined || nestsTooDeep(operand)) return undefined;
    values.push(operand);
    masked.push(i);
    key += `${name}=${operator[0]}\n&`;
  }
  for (const header of HEADERS) key += `\n${request.headers.get(header) ?? "\0"}`;
  return { key, values, segments, masked };
}

/** A plain parameter name (no percent-encoding to interpret) that names a filter. */
function isFilterName(name: string): boolean {
  if (name === "" || name.includes("%") || name.includes("+")) return false;
  if (RESERVED_ROOT.has(name)) return false;
  return !RESERVED_ANY_LEVEL.has(name.slice(name.lastIndexOf(".") + 1));
}

/** `URLSearchParams`'s decoding of a value, or `undefined` where it would keep a malformed `%` sequence. */
function decode(raw: string): string | undefined {
  if (!raw.includes("%") && !raw.includes("+")) return raw;
  try {
    return decodeURIComponent(raw.replaceAll("+", " "));
  } catch {
    return undefined;
  }
}

/**
 * Learnt shapes, at most `maxEntries` (the least recently learnt goes first). A shape is learnt when it
 * recurs ({@linkcode RequestShapes.recurs}): the request is parsed again with a distinct stand-in for each masked operand, planned and
 * built; the shape is kept only when the SQL text and everything else about the query are the same and
 * each stand-in shows up once, at the parameter where the real operand is. Otherwise the shape is
 * remembered as not cacheable and always planned afresh. A hit copies the parameters and puts the
 * request's operands at their slots: its SQL text is the one the shape always gets, and every value is
 * still a bind parameter.
 */
export class RequestShapes {
  #entries = new Map<string, ShapeEntry | null>();
  /** Shapes seen once: learning costs a second parse and plan, so a shape is learnt when it recurs. */
  #seen = new Set<string>();
  #maxEntries: number;

  /** An empty cache of at most `maxEntries` shapes (default 256). */
  constructor(maxEntries = 256) {
    this.#maxEntries = maxEntries;
  }

  /** How many shapes are known (the not cacheable ones included). */
  get size(): number {
    return this.#entries.size;
  }

  /** The shape's entry; `null` when it is known not to be cacheable, `undefined` when not seen yet. */
  get(shape: RequestShape): ShapeEntry | null | undefined {
    return this.#entries.get(shape.key);
  }

  /**
   * Whether the shape is worth learning: true from its second sighting on. One-off shapes (`in` lists of
   * ids, changing limits) never cost a second parse and plan.
   */
  recurs(shape: RequestShape): boolean {
    if (this.#seen.has(shape.key)) return true;
    this.#seen.add(shape.key);
    if (this.#seen.size > this.#maxEntries * 4) this.#seen.delete(this.#seen.values().next().value!);
    return false;
  }

  /** The entry's query with this request's operands bound. */
  fill(entry: ShapeEntry, shape: RequestShape): SqlQuery {
    const params = [...entry.query.statement.params];
    for (let j = 0; j < entry.slots.length; j++) params[entry.slots[j]!] = shape.values[j]!;
    return { ...entry.query, statement: { text: entry.query.statement.text, params } };
  }

  /**
   * Learns a shape from its first request: `query` is what `build(request)` made of it against `catalog`.
   * Never throws: a shape that cannot be verified is remembered as not cacheable.
   */
  async learn(
    shape: RequestShape,
    original: { request: Request; url: URL; path: string },
    learnt: { catalog: Catalog; request: ApiRequest; query: SqlQuery },
    build: (request: ApiRequest) => SqlQuery,
  ): Promise<void> {
    let entry: ShapeEntry | null = null;
    try {
      entry = await verifiedEntry(shape, original, learnt, build);
    } catch {
      entry = null;
    }
    this.#entries.delete(shape.key);
    this.#entries.set(shape.key, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }
}

async function verifiedEntry(
  shape: RequestShape,
  original: { request: Request; url: URL; path: string },
  learnt: { catalog: Catalog; request: ApiRequest; query: SqlQuery },
  build: (request: ApiRequest) => SqlQuery,
): Promise<ShapeEntry | null> {
  const { query } = learnt;
  if (shape.values.length === 0) return { ...learnt, slots: [] };
  const nonce = crypto.randomUUID();
  const standIns = shape.values.map((_, j) => `shape-${j}-${nonce}`);
  const segments = [...shape.segments];
  shape.masked.forEach((i, j) => {
    const segment = segments[i]!;
    const equals = segment.indexOf("=");
    const operator = VERBATIM.exec(segment.slice(equals + 1))![0];
    segments[i] = `${segment.slice(0, equals + 1)}${operator}${encodeURIComponent(standIns[j]!)}`;
  });
  const url = new URL(original.url);
  url.search = segments.join("&");
  const standInRequest = new Request(url, {
    method: original.request.method,
    headers: original.request.headers,
  });
  const other = build(await parseRequest(standInRequest, { path: original.path, url }));
  if (other.statement.text !== query.statement.text) return null;
  if (other.statement.params.length !== query.statement.params.length) return null;
  if (JSON.stringify({ ...other, statement: null }) !== JSON.stringify({ ...query, statement: null })) {
    return null;
  }
  const slots: number[] = [];
  for (let j = 0; j < standIns.length; j++) {
    const at = other.statement.params.indexOf(standIns[j]!);
    if (at === -1 || other.statement.params.indexOf(standIns[j]!, at + 1) !== -1) return null;
    if (query.statement.params[at] !== shape.values[j]) return null;
    slots.push(at);
  }
  for (let i = 0; i < query.statement.params.length; i++) {
    if (!slots.includes(i) && other.statement.params[i] !== query.statement.params[i]) return null;
  }
  return { ...learnt, slots };
}
