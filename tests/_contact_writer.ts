/**
 * A user of one tenant writing through the gateway in a loop, for the move tests: inserts, updates and
 * deletes its own contacts (emails `<prefix>-<n>@<domain>`), reads in between. A write answered 503 TR504
 * (tenant frozen) was not applied: it is retried. Only acknowledged writes are expected to survive.
 */
import type { SupabaseClient } from "@supabase/supabase-js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Answer = { error: { code: string; message: string } | null; status: number };

export class ContactWriter {
  /** id → name of every acknowledged live contact; `null` once its delete was acknowledged. */
  readonly acknowledged = new Map<string, string | null>();
  /** Every answer other than success and 503 TR504. */
  readonly errors: string[] = [];
  frozen = 0;
  writes = 0;
  reads = 0;
  #running = false;
  #loop: Promise<void> | undefined;
  #n = 0;

  /** `pauseMs` between two operations keeps a writer from saturating a small machine. */
  constructor(
    readonly client: SupabaseClient,
    readonly prefix: string,
    readonly options: { domain: string; pauseMs?: number },
  ) {}

  start(): void {
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  /** Ids of the acknowledged contacts not deleted. */
  live(): string[] {
    return [...this.acknowledged].filter(([, name]) => name !== null).map(([id]) => id);
  }

  /** id → name of what the database must hold. */
  expected(): Map<string, string> {
    return new Map([...this.acknowledged].filter((e): e is [string, string] => e[1] !== null));
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const live = this.live();
      const roll = Math.random();
      if (this.#n % 5 === 4) await this.#read();
      else if (roll < 0.5 || live.length < 3) await this.#insert();
      else if (roll < 0.8) await this.#update(live[Math.floor(Math.random() * live.length)]!);
      else await this.#delete(live[Math.floor(Math.random() * live.length)]!);
      this.#n++;
      if (this.options.pauseMs) await sleep(this.options.pauseMs);
    }
  }

  async #read(): Promise<void> {
    const { error } = await this.client.from("contacts").select("id,name").limit(5);
    if (error) this.errors.push(`read: ${error.code} ${error.message}`);
    else this.reads++;
  }

  async #insert(): Promise<void> {
    const id = crypto.randomUUID();
    const n = this.#n;
    const name = `${this.prefix} ${n}`;
    const email = `${this.prefix}-${n}@${this.options.domain}`;
    if (await this.#write(() => this.client.from("contacts").insert({ id, name, email }))) {
      this.acknowledged.set(id, name);
    }
  }

  async #update(id: string): Promise<void> {
    const name = `${this.prefix} ${this.#n} (renamed)`;
    if (await this.#write(() => this.client.from("contacts").update({ name }).eq("id", id))) {
      this.acknowledged.set(id, name);
    }
  }

  async #delete(id: string): Promise<void> {
    if (await this.#write(() => this.client.from("contacts").delete().eq("id", id))) {
      this.acknowledged.set(id, null);
    }
  }

  /** Retries while the tenant is frozen; true once acknowledged. */
  async #write(send: () => PromiseLike<Answer>): Promise<boolean> {
    while (true) {
      const { error, status } = await send();
      if (!error) {
        this.writes++;
        return true;
      }
      if (status === 503 && error.code === "TR504") {
        this.frozen++;
        if (!this.#running) return false;
        await sleep(20);
        continue;
      }
      this.errors.push(`write: ${status} ${error.code} ${error.message}`);
      return false;
    }
  }
}
