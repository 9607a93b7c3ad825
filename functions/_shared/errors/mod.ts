/**
 * The one error type and the one code table, below every module that refuses a request.
 *
 * - {@linkcode PostgrestError}: PostgREST's body `{code, message, details, hint}` with an HTTP status and
 *   headers, rendered by `toResponse()`. The gateway's stages, auth, tenancy, data sources and the admin
 *   API all throw it or a named subclass of it (`AuthError`, `AdminError`, `DataSourceUnavailableError`, …).
 * - {@linkcode ERROR_CODES}: every code with its status, layer and default message, in ranges per layer;
 *   {@linkcode RETIRED_CODES} are never reused.
 *
 * Layer 1: imports nothing of the project.
 *
 * @example
 * ```ts
 * import { PostgrestError } from "../errors/mod.ts";
 *
 * throw new PostgrestError("PGRST116", undefined, { details: "The result contains 0 rows" });
 * ```
 *
 * @module
 */
export {
  type AdminErrorCode,
  ERROR_CODES,
  type ErrorCode,
  type ErrorCodeInfo,
  type ErrorLayer,
  isErrorCode,
  RETIRED_CODES,
} from "./error_codes.ts";
export {
  type ErrorDetails,
  type JsonDetails,
  PostgrestError,
  type PostgrestErrorBody,
  type PostgrestErrorOptions,
  type ValidationIssue,
} from "./postgrest_error.ts";
