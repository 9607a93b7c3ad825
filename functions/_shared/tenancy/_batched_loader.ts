/**
 * Loads by key in batches when keys arrive faster than they are answered: a burst of requests from many
 * users (a fresh instance taking 64 at once) becomes a few queries rather than one each queued on a
 * small pool.
 *
 * @module
 */

/** Options of {@linkcode BatchedLoader}. */
export interface BatchedLoaderOptions<K, V> {
  /** Loads the values of several keys in one go; a key missing from the map gets `missing`. */
  load: (keys: K[]) => Promise<Map<K, V>>;
  /** What a key the load did not return gets. */
  missing: V;
  /** Loads running at once (the pool's connections); keys arriving while all run wait for the next. */
  maxInFlight: number;
  /** The most keys in one load. */
  maxBatch: number;
}

interface Pending<K, V> {
  key: K;
  resolve(value: V): void;
  reject(reason: unknown): void;
}

/**
 * Up to `maxInFlight` loads run at once; a key asked for while a load slot is free goes at once, alone,
 * so a quiet instance adds no delay. Keys asked for while every slot is busy wait, and the next free slot
 * loads all of them together (up to `maxBatch`). A failed load rejects each of its keys with its error.
 *
 * @example
 * ```ts
 * const loader = new BatchedLoader({ load: loadUsers, missing: [], maxInFlight: 3, maxBatch: 100 });
 * const memberships = await loader.get(userId);
 * ```
 */
export class BatchedLoader<K, V> {
  readonly #options: BatchedLoaderOptions<K, V>;
  #queue: Pending<K, V>[] = [];
  #inFlight = 0;

  /** A loader; nothing is loaded until {@linkcode BatchedLoader.get}. */
  constructor(options: BatchedLoaderOptions<K, V>) {
    for (const name of ["maxInFlight", "maxBatch"] as const) {
      if (!Number.isInteger(options[name]) || options[name] < 1) {
        throw new RangeError(`Invalid ${name}: expected an integer of 1 or more, got ${options[name]}`);
      }
    }
    this.#options = options;
  }

  /** Loads running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The key's value, from a load of its own or of a batch. */
  get(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      this.#queue.push({ key, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxBatch);
      this.#inFlight++;
      this.#run(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #run(batch: Pending<K, V>[]): Promise<void> {
    try {
      const values = await this.#options.load([...new Set(batch.map((pending) => pending.key))]);
      for (const pending of batch) {
        pending.resolve(values.has(pending.key) ? values.get(pending.key) as V : this.#options.missing);
      }
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}
