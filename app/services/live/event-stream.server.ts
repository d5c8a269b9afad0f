import { getEnv } from "~/env.server";
import { AppError } from "~/utils/errors";
import { subscribe, type LiveEvent } from "./live-hub.server";

// A server-sent event stream of one live topic (docs/decisions/049): text/event-stream, never cached or
// compressed, a comment every HEARTBEAT_MS so proxies keep it open, and ended as soon as the client goes.

const HEARTBEAT_MS = 15_000;
// EventSource reconnects after this long when the stream ends (a restart, a proxy timeout).
const RETRY_MS = 3_000;

let open = 0;

/** Streams open in this process, for tests and the health of the cap. */
export const openStreams = () => open;

const format = (e: LiveEvent) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;

/**
 * The stream of `topic` for this request. `closed` is the connection's own close signal (the load context's
 * `connectionClosed`): `request.signal` alone was seen to miss a client that left after a garbage collection.
 */
export function eventStream(request: Request, topic: string, closed?: AbortSignal): Response {
  // Each stream holds a socket and a little memory: past the cap, a clear answer instead of slow death.
  if (open >= getEnv().LIVE_STREAMS_MAX) {
    throw new AppError(
      503,
      "too_many_streams",
      "This server has too many live connections open. The page still works: reload it to see new replies.",
      undefined,
      { "Retry-After": "30" },
    );
  }
  open++;
  const encoder = new TextEncoder();
  let end = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          end();
        }
      };
      const unsubscribe = subscribe(topic, (e) => send(format(e)));
      const heartbeat = setInterval(() => send(": heartbeat\n\n"), HEARTBEAT_MS).unref();
      let ended = false;
      end = () => {
        if (ended) return;
        ended = true;
        open--;
        clearInterval(heartbeat);
        unsubscribe();
        request.signal.removeEventListener("abort", end);
        closed?.removeEventListener("abort", end);
        try {
          controller.close();
        } catch {
          // Already closed by the client going away.
        }
      };
      if (request.signal.aborted || closed?.aborted) return end();
      request.signal.addEventListener("abort", end);
      closed?.addEventListener("abort", end);
      send(`retry: ${RETRY_MS}\n: connected\n\n`);
    },
    cancel() {
      end();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform: compression would hold the events back until a buffer fills.
      "Cache-Control": "no-store, no-transform",
      "X-Accel-Buffering": "no",
      Connection: "keep-alive",
    },
  });
}
