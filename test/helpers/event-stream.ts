// Reads a text/event-stream response in a test: every event as it arrives, and a way to hang up.

export type StreamEvent = { event: string; data: string };

export type OpenStream = { response: Response; events: StreamEvent[]; close(): void };

export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { Accept: "text/event-stream", ...headers }, signal: abort.signal });
  const events: StreamEvent[] = [];
  if (response.ok && response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = block.split("\n").filter((l) => !l.startsWith(":"));
            const event = fields.find((l) => l.startsWith("event: "))?.slice(7);
            const data = fields.find((l) => l.startsWith("data: "))?.slice(6);
            if (event && data !== undefined) events.push({ event, data });
          }
        }
      } catch {
        // Hung up by close().
      }
    })();
  }
  return { response, events, close: () => abort.abort() };
}
