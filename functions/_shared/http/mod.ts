/**
 * HTTP helpers shared by the functions: paths inside a function, JSON responses, CORS, Server-Timing.
 *
 * @module
 */
export { CORS_HEADERS, preflightResponse, withCors } from "./cors.ts";
export { API_PREFIX, functionPath } from "./function_path.ts";
export { jsonResponse } from "./json_response.ts";
export { MAX_BODY_BYTES, readBody, type ReadBodyOptions } from "./read_body.ts";
export { ServerTiming } from "./server_timing.ts";
