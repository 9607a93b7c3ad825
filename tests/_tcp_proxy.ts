/**
 * A TCP proxy the fault tests cut: "the database went away" without stopping the test stack's cluster,
 * which every other tenant keeps using. {@linkcode TcpProxy.cut} closes the listening socket and every
 * open connection (clients see a reset, then connection refused, as after a crash); {@linkcode
 * TcpProxy.restore} listens again on the same port.
 *
 * @module
 */

/** Forwards `127.0.0.1:<port>` to `127.0.0.1:<targetPort>`. */
export class TcpProxy {
  readonly port: number;
  #targetPort: number;
  #listener: Deno.Listener | null = null;
  #connections = new Set<Deno.Conn>();

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

  /** Whether the proxy is cut. */
  get isCut(): boolean {
    return this.#listener === null;
  }

  /** Refuses new connections and drops the open ones. */
  cut(): void {
    this.#listener?.close();
    this.#listener = null;
    for (const connection of this.#connections) closeQuietly(connection);
    this.#connections.clear();
  }

  /** Accepts connections again, on the same port. */
  restore(): void {
    if (this.#listener === null) this.#serve(Deno.listen({ hostname: "127.0.0.1", port: this.port }));
  }

  /** Cuts for good. */
  close(): void {
    this.cut();
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
    let server: Deno.Conn;
    try {
      server = await Deno.connect({ hostname: "127.0.0.1", port: this.#targetPort });
    } catch {
      closeQuietly(client);
      return;
    }
    if (this.isCut) {
      closeQuietly(client);
      closeQuietly(server);
      return;
    }
    this.#connections.add(client).add(server);
    await Promise.allSettled([
      client.readable.pipeTo(server.writable),
      server.readable.pipeTo(client.writable),
    ]);
    for (const connection of [client, server]) {
      this.#connections.delete(connection);
      closeQuietly(connection);
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
