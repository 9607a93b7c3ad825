/**
 * Every failure of a request becomes a response here: PostgREST's `{code, message, details, hint}` with
 * its status for the errors the gateway foresees, an opaque logged 500 for anything else.
 *
 * @module
 */
import { PostgrestError } from "../errors/mod.ts";

/** Options of {@linkcode errorResponse}. */
export interface ErrorResponseOptions {
  /** HEAD responses carry no body. */
  method: string;
  log: (line: string) => void;
}

/** Renders an error; unknown errors are logged by name and stack frames only, never their message. */
export function errorResponse(error: unknown, options: ErrorResponseOptions): Response {
  let response: Response;
  if (error instanceof PostgrestError) {
    // The one error type: the stages', tenancy's, data sources' and auth's errors render themselves.
    response = error.toResponse();
  } else {
    // The message of an unforeseen error may quote SQL or a secret: log where it happened, not what it says.
    const frames = error instanceof Error ? (error.stack ?? "").split("\n").slice(1, 4).join(" | ") : "";
    options.log(`tenant-data: unexpected ${error instanceof Error ? error.name : typeof error} ${frames}`);
    response = new PostgrestError("PGRSTX00").toResponse();
  }
  return options.method === "HEAD" ? new Response(null, response) : response;
}
