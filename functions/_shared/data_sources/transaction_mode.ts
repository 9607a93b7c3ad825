/**
 * Recognising connection URLs that go through a transaction-mode pooler (Supavisor or PgBouncer), where
 * prepared statements and LISTEN do not work. A pool decides with {@linkcode isTransactionModePool}: the
 * data source says so explicitly (it has a `direct_url` besides its `url`), or its URL is on Supavisor's
 * transaction-mode port (6543) or asks for `prepare=false`.
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

/**
 * Whether a pool to a `postgres` data source must run without prepared statements: its credentials have a
 * `direct_url` different from `url` (so `url` is a pooler, PgBouncer or Supavisor in transaction mode),
 * its URL is on a transaction-mode port ({@linkcode isTransactionModeUrl}), or it says `prepare=false`.
 *
 * @example
 * ```ts
 * isTransactionModePool({ url: "postgresql://u:p@127.0.0.1:6432/db", direct_url: "postgresql://u:p@127.0.0.1:5432/db" }); // true
 * ```
 */
export function isTransactionModePool(
  credentials: { url: string; direct_url?: string | undefined },
  ports: readonly number[] = TRANSACTION_MODE_PORTS,
): boolean {
  const { url, direct_url: directUrl } = credentials;
  return (directUrl !== undefined && directUrl !== url) || isTransactionModeUrl(url, ports) ||
    /[?&]prepare=(false|0)(&|$)/.test(url);
}
