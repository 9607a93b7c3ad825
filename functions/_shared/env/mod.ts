/**
 * Reading configuration: {@linkcode EnvReader} is what every `fromEnv` of the project takes, so the
 * functions pass `Deno.env` and tests a `Map`.
 *
 * Layer 1: imports nothing of the project.
 *
 * @module
 */

/** Anything with a `get(name)` that returns a string or `undefined`: `Deno.env`, a `Map`, … */
export interface EnvReader {
  /** Returns the variable's value, or `undefined` when it is not set. */
  get(name: string): string | undefined;
}
