// Internal: the move engine's refusals as admin errors.
import { MoveError } from "../moves/mod.ts";
import { AdminError } from "../control_plane/mod.ts";
import type { AdminErrorCode } from "../errors/mod.ts";

const CODES: Record<MoveError["reason"], AdminErrorCode> = {
  not_found: "TR621",
  conflict: "TR633",
  schema_mismatch: "TR635",
  unsupported: "TR641",
  unavailable: "TR650",
  busy: "TR636",
};

/** Runs a step of the move engine; a {@linkcode MoveError} becomes the matching {@linkcode AdminError}. */
export async function asAdminErrors<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof MoveError)) throw error;
    const code = error.reason === "not_found" && /^Move /.test(error.message)
      ? "TR624"
      : error.reason === "not_found" && /data source/i.test(error.message)
      ? "TR622"
      : CODES[error.reason];
    throw new AdminError(code, error.message, error.hint === null ? {} : { hint: error.hint });
  }
}
