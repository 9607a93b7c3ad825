/**
 * The sql stage: a {@linkcode Plan} → one statement ({@linkcode buildQuery}) whose values are all bind
 * parameters, and the way back: a database error as PostgREST's error ({@linkcode databaseError},
 * {@linkcode statusForSqlState}), without query text or parameters.
 *
 * `sql_fragment.ts` is the project's one module for identifier quoting and bind parameters:
 * {@linkcode quoteIdentifier} (with PostgreSQL's 63-byte limit) is what the move engine quotes with too.
 *
 * Layer 4 (the request language), last stage: may import `errors`, `catalog`, and the parse and plan
 * stages. It builds SQL and never runs it.
 *
 * @module
 */
export { databaseError, type DatabaseErrorOptions } from "./database_error.ts";
export {
  inlineStatement,
  MAX_IDENTIFIER_BYTES,
  quoteIdentifier,
  sqlLiteral,
  type SqlParam,
  type SqlStatement,
} from "./sql_fragment.ts";
export { buildQuery, type SqlQuery } from "./sql_query.ts";
export { statusForSqlState, type StatusForSqlStateOptions } from "./sql_state.ts";
