/**
 * Helpers around postgres.js (npm `postgres`), each working around one of its behaviours:
 *
 * - {@linkcode copyInto}: `COPY … FROM STDIN` from a stream, racing the query's own rejection against the
 *   pipeline so a failed COPY never hangs.
 * - {@linkcode releaseReserved}: gives a reserved connection back, or closes it when its session may be
 *   unusable, so a pool never keeps a broken connection.
 * - {@linkcode isConnectionFailure}, {@linkcode describeConnectionError}: which errors mean "the database
 *   cannot be reached", described from fixed words only (never the error's message: it names hosts).
 *
 * Layer 1: imports nothing of the project.
 *
 * @module
 */
export { describeConnectionError, isConnectionFailure } from "./connection_errors.ts";
export { copyInto } from "./copy_into.ts";
export { releaseReserved } from "./release_reserved.ts";
