/**
 * A TCP proxy the fault tests break: "the database went away" without stopping the test stack's cluster,
 * which every other tenant keeps using.
 *
 * - {@linkcode TcpProxy.cut}: closes the listening socket and every open connection; clients see a reset,
 *   then connection refused, as after a crash.
 * - {@linkcode TcpProxy.freeze}: a network partition; connections stay open and new ones are accepted, but
 *   no byte gets through in either direction, and nobody is told.
 * - {@linkcode TcpProxy.restore}: forwards again, on the same port; connections opened before are dropped.
 *
 * @module
 */

type Mode = "forward" | "cut" | "frozen";

/** Forwards `127.0.0.1:<port>` to `127.0.0.1:<targetPort>`. */
export class TcpProxy {
  readonly port: number;
  #targetPort: number;
  #listener: Deno.Listener | null = null;
  #connections = new Set<Deno.Conn>();
  #mode: Mode = "forward";

  private constructor(port: number, targetPort: number) {
    this.port = port;
    this.#targetPort = targetPort;
  }

  /** Starts a proxy to `targetPort` on a free port. */
  static start(targetPort: number): TcpProxy {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const proxy = new TcpProxy(listener.addr.port, targetPort);
    proxy.#serve(listener);
    return proxy;
  }

  /** The same URL with its host and port replaced by the proxy's. */
  url(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = "127.0.0.1";
    url.port = String(this.port);
    return url.toString();
  }

  /** Refuses new connections and drops the open ones. */
  cut(): void {
    this.#mode = "cut";
    this.#listener?.close();
    this.#listener = null;
    this.#dropConnections();
  }

  /** Lets nothing through any more, silently. */
  freeze(): void {
    this.#mode = "frozen";
  }

  /** Forwards again; connections from before are dropped. */
  restore(): void {
    this.#dropConnections();
    if (this.#listener === null) this.#serve(Deno.listen({ hostname: "127.0.0.1", port: this.port }));
    this.#mode = "forward";
  }

  /** Cuts for good. */
  close(): void {
    this.cut();
  }

  #dropConnections(): void {
    for (const connection of this.#connections) closeQuietly(connection);
    this.#connections.clear();
  }

  async #serve(listener: Deno.Listener): Promise<void> {
    this.#listener = listener;
    try {
      for await (const client of listener) void this.#forward(client);
    } catch {
      // closed by cut()
    }
  }

  async #forward(client: Deno.Conn): Promise<void> {
    this.#connections.add(client);
    if (this.#mode === "frozen") return; // held open, never answered
    let server: Deno.Conn;
    try {
      server = await Deno.connect({ hostname: "127.0.0.1", port: this.#targetPort });
    } catch {
      this.#connections.delete(client);
      closeQuietly(client);
      return;
    }
    if (!this.#connections.has(client)) return closeQuietly(server); // dropped while connecting
    this.#connections.add(server);
    await Promise.allSettled([this.#pump(client, server), this.#pump(server, client)]);
    for (const connection of [client, server]) {
      this.#connections.delete(connection);
      closeQuietly(connection);
    }
  }

  /** Copies `from` to `to` until either closes; while frozen, what arrives is dropped. */
  async #pump(from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      const read = await from.read(buffer);
      if (read === null) return;
      if (this.#mode === "frozen") continue;
      for (let written = 0; written < read;) written += await to.write(buffer.subarray(written, read));
    }
  }
}

function closeQuietly(connection: Deno.Conn): void {
  try {
    connection.close();
  } catch {
    // already closed
  }
}
