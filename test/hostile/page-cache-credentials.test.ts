import { describe, expect, it } from "vitest";
import { hasCredentials, PageCache } from "~/server/page-cache";
import { getCookieSession, sessionStorage } from "~/services/session.server";
import { markViewerLookup } from "~/services/viewer-context.server";

// The page cache's own guarantees (docs/decisions/023): a render that looked a
// viewer up is never stored and never handed to anyone else, whatever the
// request looked like; and the check in front of the cache sees the session
// cookie in every spelling the session itself reads.

function cache() {
  const c = new PageCache(undefined);
  c.setDbVersion("1");
  return c;
}

const page = (text: string) => new Response(text, { headers: { "Content-Type": "text/html" } });

/** Resolves when `n` renders have started, so a test can hold them open while others arrive. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe("PageCache and renders that look a viewer up", () => {
  it("stores an anonymous render and serves it again", async () => {
    const c = cache();
    const first = await c.fetch("k", async () => page("for everyone"));
    expect(first.entry?.body.toString()).toBe("for everyone");
    const second = await c.fetch("k", async () => page("rendered again"));
    expect(second.hit).toBe(true);
    expect(second.entry?.body.toString()).toBe("for everyone");
  });

  it("never stores a render that looked a viewer up, and hands it back as personal", async () => {
    const c = cache();
    const theirs = await c.fetch("k", async () => {
      markViewerLookup();
      return page("Account settings for mallory");
    });
    expect(theirs.personal).toBe(true);
    expect(theirs.entry).toBeNull();
    expect(await theirs.response!.text()).toBe("Account settings for mallory");
    expect(c.stats().entries).toBe(0);
    const visitor = await c.fetch("k", async () => page("for everyone"));
    expect(visitor.hit).toBe(false);
    expect(visitor.entry?.body.toString()).toBe("for everyone");
  });

  it("does not store a render whose viewer was looked up while its body streamed", async () => {
    const c = cache();
    const result = await c.fetch("k", async () => {
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await Promise.resolve();
          markViewerLookup();
          controller.enqueue(new TextEncoder().encode("deferred data for mallory"));
          controller.close();
        },
      });
      return new Response(body, { headers: { "Content-Type": "text/html" } });
    });
    expect(result.personal).toBe(true);
    expect(await result.response!.text()).toBe("deferred data for mallory");
    expect(c.stats().entries).toBe(0);
  });

  it("does not hand a personal render to visitors waiting on the same key", async () => {
    const c = cache();
    const started = gate();
    const release = gate();
    const theirs = c.fetch("k", async () => {
      markViewerLookup();
      started.open();
      await release.opened;
      return page("Account settings for mallory");
    });
    await started.opened;
    const visitor = c.fetch("k", async () => page("for everyone"));
    release.open();
    expect((await theirs).personal).toBe(true);
    const seen = await visitor;
    expect(seen.personal).toBeFalsy();
    expect(seen.entry?.body.toString() ?? (await seen.response!.text())).toBe("for everyone");
  });

  it("does not hand a render begun before a write to whoever asks after it (ADR 042)", async () => {
    const c = cache();
    const started = gate();
    const release = gate();
    const before = c.fetch("k", async () => {
      started.open();
      await release.opened;
      return page("before the reply");
    });
    await started.opened;
    // The member's reply is answered: this server drops its pages; their next page must show the reply.
    c.invalidate();
    const after = c.fetch("k", async () => page("with the reply"));
    release.open();
    expect((await before).entry?.body.toString()).toBe("before the reply");
    expect((await after).entry?.body.toString()).toBe("with the reply");
  });

  it("keeps a lookup in one render from marking a concurrent render of another key", async () => {
    const c = cache();
    const release = gate();
    const theirs = c.fetch("a", async () => {
      await release.opened;
      markViewerLookup();
      return page("mallory");
    });
    const visitor = c.fetch("b", async () => {
      release.open();
      await Promise.resolve();
      return page("for everyone");
    });
    expect((await theirs).personal).toBe(true);
    expect((await visitor).entry?.body.toString()).toBe("for everyone");
    expect(c.stats().entries).toBe(1);
  });
});

describe("hasCredentials reads the session cookie as the session does", () => {
  it("bypasses for every spelling that the session storage accepts, and for any Authorization header", async () => {
    const session = await sessionStorage().getSession();
    session.set("sessionId", "s-123");
    const cookie = (await sessionStorage().commitSession(session)).split(";")[0]!;
    const value = cookie.slice("__session=".length);
    const spellings = [
      `__session=${value}`,
      `__session =${value}`,
      `__session= ${value}`,
      ` \t__session=${value}`,
      `__session="${value}"`,
      `a=b;__session=${value}`,
      `;;__session=${value}`,
      `=x; __session=${value}`,
      `a=b; __session=${value}; __session=other`,
      `a; __session=${value}`,
    ];
    for (const header of spellings) {
      const read = await getCookieSession(new Request("http://x/", { headers: { Cookie: header } }));
      // Each spelling signs in; so each must skip the cache.
      expect(read.get("sessionId"), header).toBe("s-123");
      expect(hasCredentials({ headers: { cookie: header } }), header).toBe(true);
    }
    for (const authorization of ["Bearer blt_x", "bearer blt_x", "Basic eDp5", "", "Token x"]) {
      expect(hasCredentials({ headers: { authorization } }), authorization).toBe(true);
    }
    expect(hasCredentials({ headers: { cookie: "theme=dark; __sessionx=1" } })).toBe(false);
    expect(hasCredentials({ headers: {} })).toBe(false);
  });
});
