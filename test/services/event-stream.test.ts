import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { closedSignal } from "~/server/load-context";
import { eventStream, openStreams } from "~/services/live/event-stream.server";
import { resetLiveHub } from "~/services/live/live-hub.server";
import { useTestDatabase } from "../helpers/database";
import { until } from "../helpers/wait";

// A live stream ends when its connection closes, even when the Request's signal does not say so:
// after a garbage collection the signal was seen to stop following the connection, and each reader
// who left after a ticket was accepted kept a place under LIVE_STREAMS_MAX for good (docs/decisions/049).

useTestDatabase();

describe("a live stream's lifetime", () => {
  it("ends when the connection closes, whatever request.signal says", async () => {
    const before = openStreams();
    const connection = new AbortController();
    // A request whose own signal never aborts, as after the collection.
    const response = eventStream(new Request("http://localhost/live/desk"), "desk", connection.signal);
    expect(openStreams()).toBe(before + 1);
    connection.abort();
    await until("the stream to end", () => openStreams() === before);
    await expect(response.text()).resolves.toContain("retry:");
    resetLiveHub();
  });

  it("closedSignal() follows the response's close, and is aborted already for a closed one", () => {
    const res = new EventEmitter() as unknown as ServerResponse;
    const signal = closedSignal(res);
    expect(signal.aborted).toBe(false);
    res.emit("close");
    expect(signal.aborted).toBe(true);
    expect(closedSignal(Object.assign(new EventEmitter(), { destroyed: true }) as unknown as ServerResponse).aborted).toBe(true);
  });
});
