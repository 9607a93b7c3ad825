/**
 * The execute stage: the only stage of the gateway that touches a tenant database. One transaction per
 * request, pipelined on one connection so it costs one round trip: `begin [read only]`, the request's
 * role, claims and statement timeout as transaction-local settings (never a session-level `SET`, which
 * would leak to the next request on the pooled connection), the statement, `commit`. The statement goes
 * prepared when its connection has prepared it; otherwise as a simple query with its values written as
 * literals, and, when its shape recurs ({@linkcode PreparedStatements}), it is prepared on that connection
 * after the request is answered: bound on a connection that has not prepared it, postgres.js would wait
 * for its parameter types first, and the transaction would cost three round trips. A transaction still
 * unanswered 2 s past its statement timeout is given up as a lost connection (a network partition).
 *
 * @module
 */
import type postgres from "postgres";
import { isConnectionFailure, PoolBusyError, type RequestClaims } from "../data_sources/mod.ts";
import {
  databaseError,
  inlineStatement,
  PostgrestError,
  sqlLiteral,
  type SqlStatement,
} from "../postgrest/mod.ts";
import { writeFenceKey } from "../tenancy/mod.ts";
import { releaseReserved } from "../postgres_js/mod.ts";
import { Deadlines } from "./_deadlines.ts";
import { PreparedStatements } from "./_prepared_statements.ts";

/**
 * A statement with its bind parameters; user input only ever travels in `params` (through a
 * transaction-mode pooler, or to a connection that has not prepared the statement, written into the text
 * as literals by the sql stage's `inlineStatement`).
 */
export type BoundStatement = SqlStatement;

export type { RequestClaims };

/** Options of {@linkcode executeStatement}. */
export interface ExecuteOptions {
  claims: RequestClaims;
  /** GET and HEAD run read-only: a read can never write, whatever the SQL says. */
  readOnly: boolean;
  statementTimeoutMs: number;
  /**
   * How long to wait for a free connection of the pool: past it the request gets 503 `TR506` instead of
   * queueing behind slow statements without bound.
   */
  acquireTimeoutMs: number;
  /** Ends the wait for a connection early, with its reason: the data source is known to be down. */
  unavailable?: AbortSignal;
  /** Called once a connection is reserved (the pool may then open its next one). */
  onConnection?: () => void;
  /**
   * Inspects the rows before the transaction ends; throwing rolls it back (a write that must affect
   * exactly one row, say). Costs a second round trip, so only writes that need it pass one.
   */
  verify?: (rows: postgres.Row[]) => void;
  /** The transaction's time zone (`Prefer: timezone=`, checked against the server's zones); default the server's. */
  timezone?: string | null | undefined;
  /** End with `rollback` instead of `commit` (an EXPLAIN ANALYZE runs the statement but keeps nothing). */
  rollback?: boolean;
  /** The statement texts worth preparing and the connections they are on; default one set for the process. */
  prepared?: PreparedStatements;
}

const PROCESS_PREPARED_STATEMENTS = new PreparedStatements();
/**
 * postgres.js sends a statement without parameters as a simple query, which the server parses and plans
 * every time, whatever `prepare` says: `simple: false` makes it prepare those too (a list without filters).
 */
const PREPARE = { prepare: true, simple: false } as const;

/**
 * Runs one statement as the request's user and returns its rows. A database error becomes a
 * {@linkcode PostgrestError} carrying only the server's code, message, detail and hint.
 *
 * @example
 * ```ts
 * const rows = await executeStatement(pool, { text: "select 1 as one", params: [] }, {
 *   claims, readOnly: true, statementTimeoutMs: 8000, acquireTimeoutMs: 3000,
 * });
 * ```
 */
export async function executeStatement(
  pool: postgres.Sql,
  statement: BoundStatement,
  options: ExecuteOptions,
): Promise<postgres.Row[]> {
  const connection = await reserveWithin(pool, options.acquireTimeoutMs, options.unavailable);
  options.onConnection?.();
  let failure: unknown;
  let preparing = false;
  try {
    const { rows, prepareAfter } = await withinDeadline(
      transaction(connection, pool, statement, options),
      options.statementTimeoutMs + DEADLINE_MARGIN_MS,
    );
    if (prepareAfter) preparing = prepareThenRelease(connection, prepareAfter);
    return rows;
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    if (!preparing) releaseReserved(connection, failure);
  }
}

/** A statement to prepare on the connection of `pool` served by server process `pid`. */
interface PrepareAfter {
  pool: postgres.Sql;
  pid: number;
  statement: BoundStatement;
  prepared: PreparedStatements;
}

/**
 * The pipelined transaction on a reserved connection; a lost connection's error is thrown as it is. On a
 * pool that must not prepare (a transaction-mode pooler), `begin` and the settings go as one simple query
 * with the settings written as literals (`inlineSettings`): postgres.js would otherwise ask for their
 * parameter types on every request.
 */
async function transaction(
  connection: postgres.ReservedSql,
  pool: postgres.Sql,
  statement: BoundStatement,
  options: ExecuteOptions,
): Promise<{ rows: postgres.Row[]; prepareAfter?: PrepareAfter | undefined }> {
  const begin = options.readOnly ? "begin read only" : "begin";
  const unprepared = !preparesStatements(pool);
  // Handed to the connection now (`execute()`), so the first one tells which connection this is.
  const queries = unprepared
    ? [connection.unsafe(`${begin}; ${inlineSettings(options)}`).execute()]
    : [connection.unsafe(begin).execute(), requestSettings(connection, options).execute()];
  const sent = unprepared
    ? { query: inlinedOrBound(connection, statement) }
    : await statementFor(connection, pool, statement, options, queries[0]!);
  queries.push(sent.query);
  // Without a check the commit goes in the same round trip; after an error the server turns it into
  // a rollback.
  if (!options.verify) queries.push(connection.unsafe(options.rollback ? "rollback" : "commit"));
  const settled = await Promise.allSettled(queries);
  const settings = settled[unprepared ? 0 : 1];
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failure) {
    // A lost connection is the data source's failure, not the request's: the pool answers it (503).
    const lostConnection = settled.find((result) =>
      result.status === "rejected" && isConnectionFailure(result.reason)
    ) as PromiseRejectedResult | undefined;
    if (lostConnection) throw lostConnection.reason;
    if (options.verify) await connection.unsafe("rollback");
    if (settings?.status === "rejected" && (settings.reason as { code?: string }).code === "22012") {
      throw new PostgrestError("TR504");
    }
    throw databaseError(failure.reason, { authenticated: true });
  }
  const rows = (settled[unprepared ? 1 : 2] as PromiseFulfilledResult<postgres.Row[]>).value;
  if (options.verify) {
    try {
      options.verify(rows);
    } catch (error) {
      await connection.unsafe("rollback");
      throw error;
    }
    await connection.unsafe("commit");
  }
  return { rows, prepareAfter: sent.prepareAfter };
}

/**
 * The statement on a pool that prepares: bound to the connection's prepared statement when it has one;
 * else a simple query with its values as literals, prepared on the connection after the request when its
 * text is admitted. A statement without values is prepared in the pipeline: there are no types to wait for.
 */
async function statementFor(
  connection: postgres.ReservedSql,
  pool: postgres.Sql,
  statement: BoundStatement,
  options: ExecuteOptions,
  first: object,
): Promise<{ query: postgres.PendingQuery<postgres.Row[]>; prepareAfter?: PrepareAfter }> {
  const prepared = options.prepared ?? PROCESS_PREPARED_STATEMENTS;
  const { text, params } = statement;
  const admitted = prepared.admit(text);
  // Without parameters postgres.js prepares and binds in one go: no types to wait for.
  if (params.length === 0) return { query: connection.unsafe(text, [], admitted ? PREPARE : {}) };
  const pid = await serverProcess(first);
  if (pid === undefined || (admitted && prepared.isPreparedOn(pool, pid, text))) {
    return { query: connection.unsafe(text, params as postgres.ParameterOrJSON<never>[], PREPARE) };
  }
  return {
    query: inlinedOrBound(connection, statement),
    ...(admitted ? { prepareAfter: { pool, pid, statement, prepared } } : {}),
  };
}

/**
 * The server process id of the connection `query` was handed to: postgres.js hands a query over a
 * microtask after `execute()` and sets its `state` (`{ pid, secret }`, as on a result) then. `undefined`
 * when it is not known, and the statement goes prepared as it always could.
 */
async function serverProcess(query: object): Promise<number | undefined> {
  for (let turn = 0; turn < 3; turn++) {
    const pid = (query as unknown as { state?: { pid?: unknown } | null }).state?.pid;
    if (typeof pid === "number") return pid;
    await undefined;
  }
  return undefined;
}

/**
 * Prepares the statement on the connection after its request was answered, then releases the connection:
 * the connection's next request of this shape binds it in the pipeline. A statement the server cannot
 * prepare keeps going inlined. No deadline: describing runs nothing, and a connection that never answers
 * is ended with its pool. Returns `true`: the connection is released here.
 */
function prepareThenRelease(
  connection: postgres.ReservedSql,
  { pool, pid, statement, prepared }: PrepareAfter,
): true {
  const describe = connection.unsafe(statement.text, statement.params as postgres.ParameterOrJSON<never>[])
    .describe();
  describe.then(
    () => {
      prepared.preparedOn(pool, pid, statement.text);
      releaseReserved(connection);
    },
    (error) => {
      if (!isConnectionFailure(error)) prepared.refuse(statement.text);
      releaseReserved(connection, error);
    },
  );
  return true;
}

/** The statement as a simple query with its parameters as literals, or bound when they cannot be written so. */
function inlinedOrBound(
  connection: postgres.ReservedSql,
  statement: BoundStatement,
): postgres.PendingQuery<postgres.Row[]> {
  const inlined = statement.params.length === 0 ? undefined : inlineStatement(statement);
  return inlined === undefined
    ? connection.unsafe(statement.text, statement.params as postgres.ParameterOrJSON<never>[], {
      prepare: false,
    })
    : connection.unsafe(inlined);
}

/** Whether the pool may prepare statements: not through a transaction-mode pooler (`prepare: false`). */
export function preparesStatements(pool: postgres.Sql): boolean {
  return pool.options.prepare !== false;
}

/** Claims as JSON, once per claims object: the gateway hands the same one to every request of an identity. */
const CLAIMS_TEXT = new WeakMap<RequestClaims, string>();

function claimsText(claims: RequestClaims): string {
  let text = CLAIMS_TEXT.get(claims);
  if (text === undefined) CLAIMS_TEXT.set(claims, text = JSON.stringify(claims));
  return text;
}

/**
 * The request's role, claims, statement timeout (and time zone, when asked for) as transaction-local
 * settings, and for a write its tenant's write fence: a prepared statement of its own.
 */
function requestSettings(
  connection: postgres.ReservedSql,
  options: Pick<ExecuteOptions, "claims" | "readOnly" | "statementTimeoutMs" | "timezone">,
): postgres.PendingQuery<postgres.Row[]> {
  const { claims } = options;
  const json = claimsText(claims);
  const timeout = String(options.statementTimeoutMs);
  const timezone = options.timezone
    ? connection`, set_config('timezone', ${options.timezone}, true)`
    : connection``;
  return options.readOnly
    ? connection`
      select set_config('role', ${claims.role}, true),
             set_config('request.jwt.claims', ${json}, true),
             set_config('statement_timeout', ${timeout}, true)${timezone}`
    : connection`
      select set_config('role', ${claims.role}, true),
             set_config('request.jwt.claims', ${json}, true),
             set_config('statement_timeout', ${timeout}, true)${timezone},
             ${writeFence(connection, claims.tenant_id)}`;
}

/** {@linkcode requestSettings} as SQL text, every value a literal: for a simple query, which has no parameters. */
export function inlineSettings(
  options: Pick<ExecuteOptions, "claims" | "readOnly" | "statementTimeoutMs" | "timezone">,
): string {
  const { claims } = options;
  const settings = [
    `set_config('role', ${sqlLiteral(claims.role)}, true)`,
    `set_config('request.jwt.claims', ${sqlLiteral(claimsText(claims))}, true)`,
    `set_config('statement_timeout', ${sqlLiteral(String(options.statementTimeoutMs))}, true)`,
    ...(options.timezone ? [`set_config('timezone', ${sqlLiteral(options.timezone)}, true)`] : []),
    ...(options.readOnly ? [] : [
      `1 / pg_try_advisory_xact_lock_shared(hashtextextended(${
        sqlLiteral(writeFenceKey(claims.tenant_id))
      }, 0))::int`,
    ]),
  ];
  return `select ${settings.join(", ")}`;
}

const NOBODY = "00000000-0000-0000-0000-000000000000";

/**
 * Prepares the statements of a request's settings (read and write) on a new connection: postgres.js
 * learns a statement's parameter types before it binds it, on each connection, which costs the first
 * request on a connection a round trip more for each (its own statement's is the third).
 *
 * @example
 * ```ts
 * const connection = await sql.reserve();
 * try { await prepareRequestSettings(connection); } finally { connection.release(); }
 * ```
 */
export async function prepareRequestSettings(connection: postgres.ReservedSql): Promise<void> {
  const claims: RequestClaims = {
    sub: NOBODY,
    role: "authenticated",
    tenant_id: NOBODY,
    tenant_role: "viewer",
  };
  for (const readOnly of [true, false]) {
    await requestSettings(connection, { claims, readOnly, statementTimeoutMs: 0 }).describe();
  }
}

/**
 * How long past the statement timeout a transaction may go unanswered: the server would have ended the
 * statement by then, so the connection has gone silent (a network partition, a frozen host), and nothing
 * else would notice before TCP keep-alive does, minutes later.
 */
const DEADLINE_MARGIN_MS = 2000;

/** Every transaction's deadline, one timer for all of them. */
const DEADLINES = new Deadlines();

/** The transaction's result, or a connection failure (`ETIMEDOUT`) when it is not in by `deadlineMs`. */
function withinDeadline<T>(work: Promise<T>, deadlineMs: number): Promise<T> {
  return DEADLINES.within(
    work,
    deadlineMs,
    () => Object.assign(new Error("The data source did not answer in time"), { code: "ETIMEDOUT" }),
  );
}

const NOT_YET_VALUE = Symbol("not yet");
const NOT_YET = Promise.resolve(NOT_YET_VALUE);

/**
 * A connection of the pool; 503 `TR506` after `timeoutMs`, or the reason of `unavailable` when it aborts
 * first. postgres.js cannot withdraw a queued reservation, so one served after giving up is handed back.
 */
async function reserveWithin(
  pool: postgres.Sql,
  timeoutMs: number,
  unavailable: AbortSignal | undefined,
): Promise<postgres.ReservedSql> {
  unavailable?.throwIfAborted();
  const reservation = pool.reserve();
  // Usually a connection is free and the reservation has settled already: no timer to set and clear.
  const settled = await Promise.race([reservation, NOT_YET]);
  if (settled !== NOT_YET_VALUE) return settled;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PoolBusyError()), timeoutMs);
    onAbort = () => reject(unavailable!.reason);
    unavailable?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([reservation, giveUp]);
  } catch (error) {
    reservation.then((connection) => connection.release(), () => {});
    throw error;
  } finally {
    clearTimeout(timer);
    unavailable?.removeEventListener("abort", onAbort!);
  }
}

/**
 * A write takes the tenant's write fence shared (`../tenancy/write_fence.ts`). While a move holds it
 * exclusively the division by zero aborts the transaction before the statement runs: 503 `TR504`.
 */
function writeFence(
  connection: postgres.ReservedSql,
  tenantId: string,
): postgres.PendingQuery<postgres.Row[]> {
  return connection`1 / pg_try_advisory_xact_lock_shared(hashtextextended(${
    writeFenceKey(tenantId)
  }, 0))::int`;
}
