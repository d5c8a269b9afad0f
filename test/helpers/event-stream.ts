import http from "node:http";

// Reads a text/event-stream response in a test: every event as it arrives, and a way to hang up.
// Through node:http rather than fetch: close() must end the connection as a browser's EventSource.close()
// does, so the server frees the stream's place at once. An aborted fetch was seen to leave the socket
// open (the server then counted the stream against LIVE_STREAMS_MAX until its process ended).

export type StreamEvent = { event: string; data: string };

export type OpenStream = { response: Response; events: StreamEvent[]; close(): void };

export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  const events: StreamEvent[] = [];
  // A connection of its own (no keep-alive agent), so hanging up closes exactly this stream's socket.
  const request = http.get(url, { headers: { Accept: "text/event-stream", ...headers }, agent: false });
  const incoming = await new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once("response", resolve);
    request.once("error", reject);
  });
  const close = () => request.destroy();
  request.on("error", () => {
    // Hung up by close().
  });
  const status = incoming.statusCode ?? 0;
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
  }
  if (status !== 200) {
    // Anything but a stream is read whole, so a test can read the answer's body.
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    return { response: new Response(Buffer.concat(chunks), { status, headers: responseHeaders }), events, close };
  }
  let buffer = "";
  incoming.setEncoding("utf8");
  incoming.on("data", (chunk: string) => {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = block.split("\n").filter((l) => !l.startsWith(":"));
      const event = fields.find((l) => l.startsWith("event: "))?.slice(7);
      const data = fields.find((l) => l.startsWith("data: "))?.slice(6);
      if (event && data !== undefined) events.push({ event, data });
    }
  });
  incoming.on("error", () => {
    // Hung up by close().
  });
  return { response: new Response(null, { status, headers: responseHeaders }), events, close };
}
