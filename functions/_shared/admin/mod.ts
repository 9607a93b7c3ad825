/**
 * The `tenant-admin` API: tenants, data sources, keys and moves.
 *
 * @module
 */
export { type AdminHandlerOptions, createAdminHandler } from "./app.ts";
