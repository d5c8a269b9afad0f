import type { Server, ServerResponse } from "node:http";

// SIGTERM (a deploy, `docker stop`, Ctrl-C) must not cut a member's reply in
// half. Draining stops accepting connections at once, closes idle keep-alive
// connections, lets in-flight requests finish (answered with
// `Connection: close`, so the client does not reuse a closing connection), and
// after `timeoutMs` closes whatever is left.

export type DrainResult = { drained: boolean; inFlight: number };

/** Call right after listen(): it keeps track of the requests a drain must wait for. */
export function gracefulShutdown(server: Server) {
  const active = new Set<ServerResponse>();
  let draining = false;
  server.on("request", (_req, res: ServerResponse) => {
    active.add(res);
    if (draining) res.setHeader("Connection", "close");
    res.once("close", () => {
      active.delete(res);
      if (draining) server.closeIdleConnections();
    });
  });

  return {
    drain(timeoutMs: number): Promise<DrainResult> {
      draining = true;
      for (const res of active) if (!res.headersSent) res.setHeader("Connection", "close");
      // A live-update stream (docs/decisions/049) never finishes on its own; ended now, its browser reconnects to another server.
      for (const res of active) if (String(res.getHeader("Content-Type") ?? "").startsWith("text/event-stream")) res.end();
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          const inFlight = active.size;
          server.closeAllConnections();
          resolve({ drained: false, inFlight });
        }, timeoutMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve({ drained: true, inFlight: 0 });
        });
        server.closeIdleConnections();
      });
    },
  };
}
