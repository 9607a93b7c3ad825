/**
 * Recognising connection URLs that go through a transaction-mode pooler (Supavisor or PgBouncer), where
 * prepared statements and LISTEN do not work.
 *
 * @module
 */

/** Ports that mean Supavisor's (or PgBouncer's) transaction mode: 6543. */
export const TRANSACTION_MODE_PORTS: readonly number[] = Object.freeze([6543]);

/**
 * Whether a connection URL points at a transaction-mode pooler: its (first) port is one of `ports`
 * (default {@linkcode TRANSACTION_MODE_PORTS}; a URL without a port means 5432).
 *
 * @example
 * ```ts
 * isTransactionModeUrl("postgresql://postgres.ref:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres"); // true
 * ```
 */
export function isTransactionModeUrl(
  url: string,
  ports: readonly number[] = TRANSACTION_MODE_PORTS,
): boolean {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(url)?.[1] ?? "";
  const first = authority.split(",")[0] ?? "";
  const port = /:(\d{1,5})$/.exec(first)?.[1];
  return ports.includes(port === undefined ? 5432 : Number(port));
}
