import type { Server } from "node:http";

// SIGTERM (a deploy, `docker stop`, Ctrl-C) must not cut a member's reply in
// half. The server stops accepting connections at once, closes idle keep-alive
// connections, lets in-flight requests finish (answering them with
// `Connection: close`), and after `timeoutMs` closes whatever is left.

export type DrainResult = { drained: boolean; inFlight: number };

export function drainServer(server: Server, timeoutMs: number): Promise<DrainResult> {
  let inFlight = 0;
  const track = (_req: unknown, res: import("node:http").ServerResponse) => {
    inFlight++;
    // A request that arrives on a kept-alive connection while draining is still answered, then the connection closes.
    res.setHeader("Connection", "close");
    res.once("close", () => {
      inFlight--;
      server.closeIdleConnections();
    });
  };
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve({ drained: false, inFlight });
    }, timeoutMs);
    timer.unref();
    server.on("request", track);
    server.close(() => {
      clearTimeout(timer);
      resolve({ drained: true, inFlight: 0 });
    });
    server.closeIdleConnections();
  });
}
