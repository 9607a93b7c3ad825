/**
 * How a pool grows: one connection first, then a few at a time. postgres.js opens a connection for every
 * query that finds none free, so a cold pool hit by 20 requests at once opens 20 connections together (each
 * a TCP and SCRAM handshake and a server process), and every one of those requests waits for the slowest.
 * The gate lets one request open the pool's first connection while the others wait for it (or for a
 * running request to finish); once one is open (the data source answers), up to `openingAtOnce` more open
 * together while requests still wait, up to the pool's size: a burst on a busy data source does not wait
 * for its connections one after the other, and a data source that is down gets one attempt, not a
 * stampede.
 *
 * @module
 */
import { PoolBusyError } from "./errors.ts";

/** The default number of connections a pool that has one open may open together: 3. */
export const DEFAULT_OPENING_AT_ONCE = 3;

/** Options of {@linkcode ConnectionGate}. */
export interface ConnectionGateOptions {
  /**
   * How many connections may open together once one is open (the first always opens alone); default 3.
   * 1: one at a time.
   */
  openingAtOnce?: number | undefined;
}

/** What {@linkcode ConnectionGate.admit} hands out: give it back with {@linkcode ConnectionGate.release}. */
export interface GateTicket {
  /** This request may open a new connection (none was believed free). */
  readonly opener: boolean;
  /** Whether the opener's connection was counted already ({@linkcode ConnectionGate.connected}). */
  counted: boolean;
}

/** Options of {@linkcode ConnectionGate.admit}. */
export interface AdmitOptions {
  /** Milliseconds to wait for a turn before {@linkcode PoolBusyError}. */
  timeoutMs: number;
  /** Aborts the wait with the signal's reason (the data source's circuit opened). */
  signal?: AbortSignal | undefined;
}

interface Waiter {
  resolve(ticket: GateTicket): void;
  reject(reason: unknown): void;
}

/**
 * Admission to one pool of at most `max` connections. It counts the connections it believes open (grown
 * by an opener whose request reached the database, shrunk by the pool's `onclose`), the requests admitted,
 * and the connections being opened. A request is admitted when a connection should be free, or as an
 * opener when the pool is below `max` and fewer are opening than allowed (one while none is open,
 * `openingAtOnce` after); the others wait in order. Admitted requests never exceed `max`, so neither do
 * the openers (postgres.js's own `max` is the hard bound behind it).
 *
 * @example
 * ```ts
 * const gate = new ConnectionGate(10);
 * const ticket = await gate.admit({ timeoutMs: 3000 });
 * try { await work(); } finally { gate.release(ticket, { connected: true }); }
 * ```
 */
export class ConnectionGate {
  readonly #max: number;
  readonly #openingAtOnce: number;
  #open = 0;
  #admitted = 0;
  /** Openers admitted whose connection is not counted yet. */
  #opening = 0;
  #unbounded = false;
  #waiters: Waiter[] = [];

  /** A gate for a pool of `max` connections. */
  constructor(max: number, options: ConnectionGateOptions = {}) {
    const openingAtOnce = options.openingAtOnce ?? DEFAULT_OPENING_AT_ONCE;
    if (!Number.isInteger(openingAtOnce) || openingAtOnce < 1) {
      throw new RangeError(`Invalid openingAtOnce: expected an integer of 1 or more, got ${openingAtOnce}`);
    }
    this.#max = max;
    this.#openingAtOnce = openingAtOnce;
  }

  /** Connections believed open. */
  get open(): number {
    return this.#open;
  }

  /** Requests admitted and not yet released. */
  get admitted(): number {
    return this.#admitted;
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Connections being opened now. */
  get opening(): number {
    return this.#opening;
  }

  /** Waits for the request's turn; see the class. */
  admit(options: AdmitOptions): Promise<GateTicket> {
    options.signal?.throwIfAborted();
    if (this.#waiters.length === 0) {
      const ticket = this.#tryAdmit();
      if (ticket !== undefined) return Promise.resolve(ticket);
    }
    return new Promise<GateTicket>((resolve, reject) => {
      const { signal } = options;
      const waiter: Waiter = {
        resolve: (ticket) => {
          done();
          resolve(ticket);
        },
        reject: (reason) => {
          done();
          reject(reason);
        },
      };
      const giveUp = (reason: unknown) => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        waiter.reject(reason);
      };
      const timer = setTimeout(() => giveUp(new PoolBusyError()), options.timeoutMs);
      const onAbort = () => giveUp(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      this.#waiters.push(waiter);
    });
  }

  /**
   * The request holds a connection now: an opener's connection counts as open and the next one may open,
   * without waiting for the opener's request to end.
   */
  connected(ticket: GateTicket): void {
    if (!ticket.opener || ticket.counted) return;
    ticket.counted = true;
    this.#opening--;
    this.#open = Math.min(this.#max, this.#open + 1);
    this.#pump();
  }

  /**
   * Gives a ticket back; `connected` says whether the request reached the database (then an opener's
   * connection counts as open, if {@linkcode ConnectionGate.connected} did not count it). Admits whoever
   * may go now.
   */
  release(ticket: GateTicket, outcome: { connected: boolean }): void {
    this.#admitted--;
    if (ticket.opener && !ticket.counted) {
      ticket.counted = true;
      this.#opening--;
      if (outcome.connected) this.#open = Math.min(this.#max, this.#open + 1);
    }
    this.#pump();
  }

  /** One of the pool's connections closed (idle timeout, max lifetime, a lost connection). */
  connectionClosed(): void {
    this.#open = Math.max(0, this.#open - 1);
    this.#pump();
  }

  /** Admits every waiter now and every later request at once: for a pool being retired. */
  openAll(): void {
    this.#unbounded = true;
    this.#pump();
  }

  #tryAdmit(): GateTicket | undefined {
    // Requests on open connections: the admitted ones but the openers whose connection is not counted yet.
    const onOpen = this.#admitted - this.#opening;
    if (this.#unbounded || onOpen < this.#open) {
      this.#admitted++;
      return { opener: false, counted: false };
    }
    // The first connection opens alone: until it is open, the data source is not known to answer.
    const openingAllowed = this.#open === 0 ? 1 : this.#openingAtOnce;
    if (this.#opening < openingAllowed && this.#admitted < this.#max) {
      this.#admitted++;
      this.#opening++;
      return { opener: true, counted: false };
    }
    return undefined;
  }

  #pump(): void {
    while (this.#waiters.length > 0) {
      const ticket = this.#tryAdmit();
      if (ticket === undefined) return;
      (this.#waiters.shift() as Waiter).resolve(ticket);
    }
  }
}
