/**
 * The `tenant-data` gateway: PostgREST requests routed to each tenant's database under RLS.
 *
 * @module
 */
export { createGatewayHandler, type GatewayHandlerOptions } from "./handler.ts";
