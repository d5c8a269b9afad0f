import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";
import { viewerPayload } from "../helpers/viewer-payload";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageScripts, readManifest, scriptSizes } from "../../bench/client-js";
import { nonceOfPolicy, parsePolicy, TEST_PLACEHOLDER } from "../hostile/policy";
import { signIn } from "../helpers/http";
import { until } from "../helpers/wait";
import { startServer, type TestServer } from "../helpers/server";

// HTML and scripts go out compressed when the client asks, plain when it does not,
// and say so in Vary; the anonymous page cache serves its gzip bytes with a fresh
// nonce each time; fingerprinted assets are cached for a year (docs/decisions/043).

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

/** A request whose body is read as sent (fetch would decode it, and sends its own Accept-Encoding). */
function raw(base: string, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(base + path, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function decoded(res: Raw): string {
  const encoding = res.headers["content-encoding"];
  if (encoding === "gzip") return zlib.gunzipSync(res.body).toString();
  if (encoding === "br") return zlib.brotliDecompressSync(res.body).toString();
  expect(encoding, "no other encoding").toBeUndefined();
  return res.body.toString();
}

const varies = (res: Raw) => String(res.headers.vary ?? "").split(/\s*,\s*/);

/** The page's body, checked to carry this response's nonce on its scripts and never the placeholder. */
function expectNoncedPage(res: Raw): string {
  const body = decoded(res);
  const nonce = nonceOfPolicy(parsePolicy(res.headers["content-security-policy"] as string));
  expect(body).not.toContain(TEST_PLACEHOLDER);
  expect(body).toContain(`nonce="${nonce}"`);
  return body;
}

let server: TestServer;
let threadUrl: string;
let script: string;
beforeAll(async () => {
  server = await startServer({ seed: true });
  const list = await (await fetch(`${server.url}/api/v1/threads`)).json();
  threadUrl = list.threads[0].url;
  // The largest script the thread page loads (React and Remix).
  const root = path.resolve(__dirname, "../..");
  script = scriptSizes(root, pageScripts(readManifest(root), "routes/t.$id.($slug)")).largest[0]!.file;
  expect(await (await fetch(server.url + threadUrl)).text()).toContain(script);
});
afterAll(async () => {
  await server?.stop();
});

describe("compressed responses", () => {
  it("serves the cached thread page gzipped, with a fresh nonce each time, and plain when not asked", async () => {
    // Two visits in a row of one cached page: a background write right after start-up (indexing, counters) may move
    // the content version between them, and then the pair is asked again.
    // The plain visit is asked in the same round: a page rendered afresh may stream its data in another shape, so
    // only copies of one cache entry (one ETag, gzip or not) are compared byte for byte.
    const [first, second, plain] = await until("three visits served from one cached page", async () => {
      const trio = [
        await raw(server.url, threadUrl, { "Accept-Encoding": "gzip, deflate, br" }),
        await raw(server.url, threadUrl, { "Accept-Encoding": "gzip" }),
        await raw(server.url, threadUrl),
      ] as const;
      const sameEntry =
        trio[1].headers.etag === trio[0].headers.etag && trio[2].headers.etag?.replace(/"$/, '-gzip"') === trio[0].headers.etag;
      return sameEntry && trio[1].headers["x-cache"] === "HIT" && trio[2].headers["x-cache"] === "HIT" ? trio : undefined;
    });
    for (const res of [first, second]) {
      expect(res.status).toBe(200);
      expect(res.headers["content-encoding"]).toBe("gzip");
      expect(varies(res)).toEqual(expect.arrayContaining(["Cookie", "Authorization", "Accept-Encoding"]));
      expect(Number(res.headers["content-length"])).toBe(res.body.length);
    }
    const [a, b] = [expectNoncedPage(first), expectNoncedPage(second)];
    const nonces = [first, second].map((r) => nonceOfPolicy(parsePolicy(r.headers["content-security-policy"] as string)));
    expect(nonces[0]).not.toBe(nonces[1]);
    // The same page apart from its nonce.
    expect(b.replaceAll(nonces[1]!, "N")).toBe(a.replaceAll(nonces[0]!, "N"));

    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(varies(plain)).toContain("Accept-Encoding");
    expect(expectNoncedPage(plain).replaceAll(nonceOfPolicy(parsePolicy(plain.headers["content-security-policy"] as string)), "N")).toBe(
      a.replaceAll(nonces[0]!, "N"),
    );
    expect(plain.body.length).toBeGreaterThan(first.body.length * 2);

    // A client that only takes brotli gets it from the compression middleware.
    const br = await raw(server.url, threadUrl, { "Accept-Encoding": "br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expectNoncedPage(br);
  });

  it("revalidates the gzip and the plain copy each against its own ETag", async () => {
    const gzip = await raw(server.url, threadUrl, { "Accept-Encoding": "gzip" });
    const plain = await raw(server.url, threadUrl);
    expect(gzip.headers.etag).not.toBe(plain.headers.etag);
    expect((await raw(server.url, threadUrl, { "Accept-Encoding": "gzip", "If-None-Match": gzip.headers.etag! })).status).toBe(304);
    expect((await raw(server.url, threadUrl, { "If-None-Match": plain.headers.etag! })).status).toBe(304);
    // A plain copy's tag does not stand for the gzip body, nor the other way round.
    expect((await raw(server.url, threadUrl, { "Accept-Encoding": "gzip", "If-None-Match": plain.headers.etag! })).status).toBe(200);
    const head = await raw(server.url, threadUrl, { "Accept-Encoding": "gzip" }, "HEAD");
    expect(head.headers["content-length"]).toBe(gzip.headers["content-length"]);
  });

  it("compresses a member's thread page (the shared page plus their own state, ADR 042) from the shared gzip, and keeps it private", async () => {
    const member = await signIn(server, "member@backline.local");
    const cookie = member.cookieHeader();
    // One cache entry for all three (see the first test): the gzip, the plain copy and HEAD are compared exactly.
    const [gzip, plain, head] = await until("a member's gzip, plain and HEAD copies of one cached page", async () => {
      const trio = [
        await raw(server.url, threadUrl, { "Accept-Encoding": "br, gzip", Cookie: cookie }),
        await raw(server.url, threadUrl, { Cookie: cookie }),
        await raw(server.url, threadUrl, { "Accept-Encoding": "gzip", Cookie: cookie }, "HEAD"),
      ] as const;
      return trio.every((r) => r.headers["x-cache"] === "HIT") && trio;
    });
    for (const res of [gzip, plain, head]) {
      expect(res.status).toBe(200);
      expect(res.headers["cache-control"]).toBe("private, no-store");
      expect(res.headers.etag).toBeUndefined();
      expect(varies(res)).toEqual(expect.arrayContaining(["Cookie", "Authorization", "Accept-Encoding"]));
    }
    // gzip is made from the entry's once-deflated pieces, with the nonce and the member's state in stored blocks.
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(Number(gzip.headers["content-length"])).toBe(gzip.body.length);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(Number(plain.headers["content-length"])).toBe(plain.body.length);
    expect(head.headers["content-encoding"]).toBe("gzip");
    expect(head.body.length).toBe(0);
    const [zipped, asIs] = [expectNoncedPage(gzip), expectNoncedPage(plain)];
    expect(viewerPayload(zipped)?.root.user?.username).toBe("ada");
    // The same page but for the nonce and the one-time reply token.
    const neutral = (html: string, res: Raw) =>
      html
        .replaceAll(nonceOfPolicy(parsePolicy(res.headers["content-security-policy"] as string)), "NONCE")
        .replace(/"replyToken":"[^"]+"/, '"replyToken":"T"');
    expect(neutral(zipped, gzip)).toBe(neutral(asIs, plain));
    expect(gzip.body.length).toBeLessThan(plain.body.length / 2);
    // A browser that takes only brotli gets it from the compression middleware.
    const br = await raw(server.url, threadUrl, { "Accept-Encoding": "br", Cookie: cookie });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(viewerPayload(expectNoncedPage(br))?.root.user?.username).toBe("ada");
  });

  it("compresses a script when asked, sends it plain when not, and caches it for a year", async () => {
    const plain = await raw(server.url, script);
    for (const [accept, encoding] of [
      ["br", "br"],
      ["gzip", "gzip"],
      ["gzip, deflate, br", "br"],
    ] as const) {
      const res = await raw(server.url, script, { "Accept-Encoding": accept });
      expect(res.headers["content-encoding"], accept).toBe(encoding);
      expect(decoded(res)).toBe(plain.body.toString());
      expect(varies(res)).toContain("Accept-Encoding");
    }
    expect(plain.status).toBe(200);
    expect(plain.body.length).toBeGreaterThan(100_000);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers["content-type"]).toMatch(/javascript/);
    expect(varies(plain)).toContain("Accept-Encoding");
    expect(plain.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("caches fingerprinted stylesheets immutably too, and public files only for an hour", async () => {
    const page = await (await fetch(server.url + "/")).text();
    const stylesheet = page.match(/\/build\/_assets\/[\w-]+\.css/)![0];
    const css = await raw(server.url, stylesheet, { "Accept-Encoding": "gzip" });
    expect(css.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(css.headers["content-encoding"]).toBe("gzip");
    expect((await raw(server.url, "/favicon.svg")).headers["cache-control"]).toBe("public, max-age=3600");
  });
});
