// Tests wait for the event they need (a file written, a row changed, a page
// showing a word), never for a fixed time: a fixed sleep is too short on a
// loaded machine and wastes time on a fast one.

type Check<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

/**
 * Polls `check` until it returns a value (anything but undefined, null or false) and returns it;
 * fails after `timeoutMs` naming what it waited for (`what` may be a function, read on failure).
 */
export async function until<T>(what: string | (() => string), check: Check<T>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until the seeded demo forum is searchable (the search outbox indexes it in the background after start). */
export async function untilSearchIndexed(server: { url: string; output?: () => string }) {
  await until(
    () => `the demo forum to be indexed${server.output ? `:\n${server.output()}` : ""}`,
    async () => {
      const res = await fetch(`${server.url}/api/v1/search?q=webhook`);
      return res.ok && (await res.json()).total > 0;
    },
    30_000,
    200,
  );
}
