import type { ServerResponse } from "node:http";
import type { AppLoadContext } from "@remix-run/node";
import type { Response as ExpressResponse } from "express";
import { nonceOf } from "./security-headers";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /**
     * Aborted when this response's connection closes. A stream that lives as long as the client stays
     * (app/services/live/event-stream.server.ts) listens here rather than to `request.signal` alone: after a
     * garbage collection the Request's signal was seen to stop following the connection, and the stream's
     * place, subscription and heartbeat then outlived the client (docs/decisions/049).
     */
    connectionClosed?: AbortSignal;
  }
}

/** Aborted once `res` closes (at once when it already has); held by the response's own listener. */
export function closedSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (res.destroyed || res.socket?.destroyed) controller.abort();
  else res.once("close", () => controller.abort());
  return controller.signal;
}

/** What every loader and action gets as `context`. The close signal is made only for those that ask. */
export function loadContext(res: ExpressResponse): AppLoadContext {
  let closed: AbortSignal | undefined;
  return {
    cspNonce: nonceOf(res),
    get connectionClosed() {
      return (closed ??= closedSignal(res));
    },
  };
}
