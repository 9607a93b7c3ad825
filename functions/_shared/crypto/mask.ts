/**
 * Masked connection strings for lists, logs, audit entries and errors.
 *
 * @module
 */

/** What a password, or an unreadable connection string, is replaced with. */
export const MASK = "****";

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s;
// RFC 3986 userinfo characters without ":" (percent-encoded bytes stay encoded).
const USER = /^[A-Za-z0-9._~!$&'()*+,;=%-]*$/;
const HOST = /^(?:[A-Za-z0-9._~%-]*|\[[0-9A-Fa-f:.]+(?:%25[A-Za-z0-9._~-]+)?\])(?::[0-9]{1,5})?$/;
const PATH = /^(?:\/[A-Za-z0-9._~%!$&'()*+,;=-]*)?$/;

/**
 * Masks a connection URL for display: keeps scheme, user, host(s), port and database, replaces the
 * password with `****`, and drops the query string and fragment (they may carry `password=`,
 * `sslpassword=` or tokens). Anything that does not read as a URL becomes `****` rather than being echoed.
 *
 * The user stays percent-encoded as written; IPv6 hosts (`[::1]:5432`) and libpq multi-host lists
 * (`h1:5432,h2:5433`) are kept. The userinfo ends at the last `@`, so a password with an unencoded `@`
 * is still masked whole.
 *
 * @example
 * ```ts
 * maskConnectionString("postgresql://user:pass@host:5432/db?sslmode=require");
 * // "postgresql://user:****@host:5432/db"
 * maskConnectionString("host=db password=secret"); // "****"
 * ```
 */
export function maskConnectionString(value: string): string {
  if (typeof value !== "string") return MASK;
  const match = SCHEME.exec(value.trim());
  if (match === null) return MASK;
  const [, scheme, rest = ""] = match;
  const at = rest.lastIndexOf("@");
  let userPart = "";
  let afterUser = rest;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(":");
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (!USER.test(user)) return MASK;
    userPart = `${user}${colon < 0 ? "" : `:${MASK}`}@`;
    afterUser = rest.slice(at + 1);
  }
  const end = afterUser.search(/[/?#]/);
  const hosts = end < 0 ? afterUser : afterUser.slice(0, end);
  const tail = end < 0 ? "" : afterUser.slice(end);
  const queryStart = tail.search(/[?#]/);
  const path = queryStart < 0 ? tail : tail.slice(0, queryStart);
  if (!hosts.split(",").every((host) => HOST.test(host)) || !PATH.test(path)) return MASK;
  return `${scheme}://${userPart}${hosts}${path}`;
}
