/**
 * A circuit breaker for one data source: after a run of connection failures, requests fail fast for a
 * cool-down instead of each waiting for a connection that will not come.
 *
 * @module
 */

/** The default number of consecutive connection failures that open the circuit: 3. */
export const DEFAULT_FAILURE_THRESHOLD = 3;
/** The default first cool-down, in milliseconds: 5 seconds. */
export const DEFAULT_COOL_DOWN_MS = 5_000;
/** The default longest cool-down, in milliseconds: 30 seconds. */
export const DEFAULT_MAX_COOL_DOWN_MS = 30_000;
/** The default time after which a half-open trial that never reported frees its slot: 10 seconds. */
export const DEFAULT_TRIAL_TIMEOUT_MS = 10_000;
/** How long requests are told to wait while a half-open trial is running, in milliseconds. */
const TRIAL_RETRY_AFTER_MS = 1_000;

/**
 * `closed`: requests pass. `open`: requests fail fast until the cool-down ends. `half_open`: the
 * cool-down is over; one trial request passes, the others fail fast until it reports.
 */
export type CircuitState = "closed" | "open" | "half_open";

/** Options of {@linkcode CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit; default {@linkcode DEFAULT_FAILURE_THRESHOLD}. */
  failureThreshold?: number | undefined;
  /** The first cool-down in milliseconds; default {@linkcode DEFAULT_COOL_DOWN_MS}. */
  coolDownMs?: number | undefined;
  /**
   * The longest cool-down in milliseconds; each failed trial doubles the cool-down up to it. Default
   * {@linkcode DEFAULT_MAX_COOL_DOWN_MS}.
   */
  maxCoolDownMs?: number | undefined;
  /** After this long a trial that never reported lets another request try; default 10 s. */
  trialTimeoutMs?: number | undefined;
  /** The clock, in milliseconds; default `Date.now`. */
  now?: (() => number) | undefined;
}

/** Permission for one request; report its outcome with the same permit. */
export interface CircuitPermit {
  /** The breaker state the permit was given in: a permit from an earlier state is ignored. */
  readonly generation: number;
  /** Whether this request is the half-open trial. */
  readonly trial: boolean;
}

/** The answer of {@linkcode CircuitBreaker.tryAcquire}. */
export type CircuitDecision =
  | { allowed: true; permit: CircuitPermit }
  | { allowed: false; retryAfterMs: number };

/**
 * One data source's circuit breaker, a pure state machine with an injected clock:
 *
 * - closed → open after `failureThreshold` consecutive failures (a success resets the count);
 * - open → half-open when the cool-down (5 s, then 10, 20, 30 s) has passed;
 * - half-open: the first request is the trial; its success closes the circuit and resets the cool-down,
 *   its failure opens it again with twice the cool-down (at most `maxCoolDownMs`).
 *
 * Outcomes of requests that started in an earlier state (a slow request finishing after the circuit
 * opened) are ignored, so they neither re-open nor close it.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker();
 * const decision = breaker.tryAcquire();
 * if (!decision.allowed) throw new DataSourceUnavailableError({ … retryAfterSeconds: decision.retryAfterMs / 1000 });
 * try {
 *   await sql`select 1`;
 *   breaker.recordSuccess(decision.permit);
 * } catch (err) {
 *   breaker.recordFailure(decision.permit);
 *   throw err;
 * }
 * ```
 */
export class CircuitBreaker {
  #failureThreshold: number;
  #baseCoolDownMs: number;
  #maxCoolDownMs: number;
  #trialTimeoutMs: number;
  #now: () => number;
  #state: CircuitState = "closed";
  #failures = 0;
  #coolDownMs: number;
  #openUntil = 0;
  #trialSince: number | null = null;
  #generation = 0;

  /** Creates a closed breaker. */
  constructor(options: CircuitBreakerOptions = {}) {
    this.#failureThreshold = options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
    this.#baseCoolDownMs = options.coolDownMs ?? DEFAULT_COOL_DOWN_MS;
    this.#maxCoolDownMs = options.maxCoolDownMs ?? DEFAULT_MAX_COOL_DOWN_MS;
    this.#trialTimeoutMs = options.trialTimeoutMs ?? DEFAULT_TRIAL_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
    if (!Number.isInteger(this.#failureThreshold) || this.#failureThreshold < 1) {
      throw new RangeError(
        `Invalid failure threshold: expected an integer of 1 or more, got ${this.#failureThreshold}`,
      );
    }
    for (
      const [label, value] of [
        ["cool-down", this.#baseCoolDownMs],
        ["max cool-down", this.#maxCoolDownMs],
        ["trial timeout", this.#trialTimeoutMs],
      ] as const
    ) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new RangeError(`Invalid ${label}: expected milliseconds above 0, got ${value}`);
      }
    }
    if (this.#maxCoolDownMs < this.#baseCoolDownMs) {
      throw new RangeError("Invalid max cool-down: it must not be shorter than the cool-down");
    }
    this.#coolDownMs = this.#baseCoolDownMs;
  }

  /** The state now; an open circuit whose cool-down has passed reads as `half_open`. */
  get state(): CircuitState {
    if (this.#state === "open" && this.#now() >= this.#openUntil) return "half_open";
    return this.#state;
  }

  /** Consecutive failures counted while closed. */
  get consecutiveFailures(): number {
    return this.#failures;
  }

  /** The cool-down the circuit opens (or opened) with, in milliseconds. */
  get coolDownMs(): number {
    return this.#coolDownMs;
  }

  /** Milliseconds until a request may pass again: 0 when one may pass now. */
  retryAfterMs(): number {
    const now = this.#now();
    if (this.#state === "open" && now < this.#openUntil) return this.#openUntil - now;
    if (this.#state === "half_open" && this.#trialRunning(now)) return TRIAL_RETRY_AFTER_MS;
    return 0;
  }

  /** Asks to send one request: a permit, or how long to wait. */
  tryAcquire(): CircuitDecision {
    const now = this.#now();
    if (this.#state === "closed") return { allowed: true, permit: this.#permit(false) };
    if (this.#state === "open") {
      if (now < this.#openUntil) return { allowed: false, retryAfterMs: this.#openUntil - now };
      this.#transition("half_open");
    }
    if (this.#trialRunning(now)) return { allowed: false, retryAfterMs: TRIAL_RETRY_AFTER_MS };
    if (this.#trialSince !== null) this.#generation++; // the silent trial's outcome no longer counts
    this.#trialSince = now;
    return { allowed: true, permit: this.#permit(true) };
  }

  /** Reports that the request reached the data source. */
  recordSuccess(permit: CircuitPermit): void {
    if (permit.generation !== this.#generation) return;
    this.#failures = 0;
    if (this.#state === "half_open") {
      this.#coolDownMs = this.#baseCoolDownMs;
      this.#transition("closed");
    }
  }

  /** Reports that the request could not connect to the data source. */
  recordFailure(permit: CircuitPermit): void {
    if (permit.generation !== this.#generation) return;
    if (this.#state === "half_open") {
      this.#coolDownMs = Math.min(this.#coolDownMs * 2, this.#maxCoolDownMs);
      this.#open();
    } else if (this.#state === "closed" && ++this.#failures >= this.#failureThreshold) {
      this.#open();
    }
  }

  /** Reports that the request ended without saying anything about the data source's health. */
  release(permit: CircuitPermit): void {
    if (permit.generation !== this.#generation) return;
    if (permit.trial && this.#state === "half_open") this.#trialSince = null;
  }

  /** Closes the circuit and forgets its history (for example after the credentials were replaced). */
  reset(): void {
    this.#failures = 0;
    this.#coolDownMs = this.#baseCoolDownMs;
    this.#transition("closed");
  }

  #open(): void {
    this.#openUntil = this.#now() + this.#coolDownMs;
    this.#transition("open");
  }

  #transition(state: CircuitState): void {
    this.#state = state;
    this.#failures = 0;
    this.#trialSince = null;
    this.#generation++;
  }

  #trialRunning(now: number): boolean {
    return this.#trialSince !== null && now - this.#trialSince < this.#trialTimeoutMs;
  }

  #permit(trial: boolean): CircuitPermit {
    return { generation: this.#generation, trial };
  }
}
