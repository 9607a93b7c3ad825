/**
 * HTTP helpers shared by the functions: paths inside a function and JSON responses.
 *
 * @module
 */
export { functionPath } from "./function_path.ts";
export { jsonResponse } from "./json_response.ts";
