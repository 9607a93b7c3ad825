/**
 * Last-line scrubbing of free text (an unexpected error's message, a child process's output) before it
 * reaches a log or the terminal.
 *
 * @module
 */

const URL_USERINFO = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/?#@'"]*)@/g;
const KEY_VALUE = /\b(password|sslpassword|apikey|token|secret)=([^\s&'"]+)/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const LONG_HEX = /\b[0-9A-Fa-f]{32,}\b/g;
const SUPABASE_KEY = /\bsb_(secret|publishable)_[A-Za-z0-9_-]{8,}/g;

/**
 * Masks what looks like a secret in `text`: the password of `scheme://user:password@host` URLs,
 * `password=…`-style parameters, JWTs, Supabase API keys and long hex strings (keys, ciphertext).
 * Messages written by this project never need it; it guards text from elsewhere.
 *
 * @example
 * ```ts
 * redactSecrets("connect postgresql://app:s3cret@db/app failed"); // "connect postgresql://app:****@db/app failed"
 * ```
 */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(":");
      return `${scheme}${colon < 0 ? userinfo : `${userinfo.slice(0, colon)}:****`}@`;
    })
    .replace(KEY_VALUE, (_match, name: string) => `${name}=****`)
    .replace(JWT, "****")
    .replace(SUPABASE_KEY, "sb_$1_****")
    .replace(LONG_HEX, "****");
}
