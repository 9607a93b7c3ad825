/**
 * The parse stage: an HTTP `Request` to `/rest/v1/<table>` or `/rest/v1/rpc/<fn>` → an
 * {@linkcode ApiRequest} (resource, method, query, preferences, accept, range, JSON body). Pure: no
 * catalog, no database, no secrets.
 *
 * {@linkcode parseRequest} runs it all; its parts are usable alone: {@linkcode parseQuery} (and the grammars
 * {@linkcode parseSelect}, {@linkcode parseFilter}, {@linkcode parseLogic}, {@linkcode parseOrder}),
 * {@linkcode parseHeaders} ({@linkcode parsePrefer}, {@linkcode parseAccept}, {@linkcode parseRange},
 * {@linkcode parseContentType}), {@linkcode readBody} and {@linkcode parseBody}. The limits a request must
 * respect are in `limits.ts`. The grammars throw {@linkcode QuerySyntaxError} (a `SyntaxError` with a
 * 1-based position), which {@linkcode parseQuery} and {@linkcode parseRequest} turn into `PGRST100`.
 *
 * Layer 4 (the request language), first stage: may import `errors` only.
 *
 * @module
 */
export {
  MAX_BODY_BYTES,
  MAX_CONDITIONS,
  MAX_EMBED_DEPTH,
  MAX_JSON_DEPTH,
  MAX_LIMIT,
  MAX_LOGIC_DEPTH,
  MAX_OFFSET,
  MAX_ORDER_TERMS,
  MAX_PATTERN_LENGTH,
  MAX_SELECT_ITEMS,
  MAX_TSQUERY_NESTING,
} from "./limits.ts";
export { nestsTooDeep } from "./_json_depth.ts";
export { type MediaRange, parseAccept, parseMediaRange } from "./parse_accept.ts";
export { parseBody, type ParseBodyOptions } from "./parse_body.ts";
export { parseContentType } from "./parse_content_type.ts";
export { parseFilter } from "./parse_filter.ts";
export { DEFAULT_SCHEMAS, parseHeaders, type ParseHeadersOptions } from "./parse_headers.ts";
export { parseLogic, type ParseLogicOptions } from "./parse_logic.ts";
export { parseOrder } from "./parse_order.ts";
export { invalidPreferences, parsePrefer } from "./parse_prefer.ts";
export { parseQuery, type ParseQueryOptions } from "./parse_query.ts";
export { parseRange, type ParseRangeOptions } from "./parse_range.ts";
export { API_PREFIX, parseRequest, type ParseRequestOptions } from "./parse_request.ts";
export { CAST_TYPE_PATTERN, parseSelect, type ParseSelectOptions } from "./parse_select.ts";
export { readBody, type ReadBodyOptions } from "../../http/mod.ts";
export type * from "./request.ts";
export { QuerySyntaxError, type QuerySyntaxErrorOptions } from "./syntax_error.ts";
