/**
 * Options most commands share.
 *
 * @module
 */

/** `--db-url`: another application database than the local stack's. */
export const DB_URL_ARG = {
  "db-url": {
    type: "string",
    description: "Application database URL (default: $SUPABASE_DB_URL, else the local stack's)",
    valueHint: "url",
  },
} as const;

/** `--json`: machine-readable output. */
export const JSON_ARG = {
  json: { type: "boolean", description: "Print JSON instead of a table" },
} as const;
