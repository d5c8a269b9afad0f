import net from "node:net";
import type { AddressInfo } from "node:net";

// A TCP proxy between the app and its database, so a test can pull the plug:
// `cut()` drops every open connection and stops listening, so new connections
// are refused (ECONNREFUSED, like a database that restarts); `restore()` listens
// on the same port again.

export type TcpProxy = {
  port: number;
  /** Connections accepted and forwarded so far. */
  readonly accepted: number;
  cut(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
};

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(target.port, target.host);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const cut = () => {
    if (server.listening) server.close();
    // RST, not FIN: in-flight queries fail at once, as when the server process dies.
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
  };
  return {
    port,
    get accepted() {
      return accepted;
    },
    cut,
    async restore() {
      if (!server.listening) await listen(port);
    },
    async close() {
      cut();
    },
  };
}
