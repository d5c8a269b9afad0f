import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nonceOfPolicy, parsePolicy } from "../hostile/policy";
import { signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { until } from "../helpers/wait";

// Hits of the page cache are answered before Express (docs/decisions/050). What a visitor gets must not change:
// the same headers as the Express path, a fresh nonce, revalidation, and every request the fast lane does not
// answer still meets the guards and middleware behind it.

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: string };

function raw(base: string, target: string, headers: Record<string, string> = {}, method = "GET"): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    // The target goes out as written: URL() would normalise the hostile ones.
    const req = http.request({ hostname, port, path: target, method, headers }, (res) => {
      let body = "";
      res.setEncoding("latin1");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

// What differs between two answers of one page by design: the time, the nonce and whether it came from the cache.
const PER_RESPONSE = new Set(["date", "content-security-policy", "x-cache", "keep-alive", "connection"]);
const stable = (headers: http.IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_RESPONSE.has(name)));
const nonce = (res: Raw) => nonceOfPolicy(parsePolicy(res.headers["content-security-policy"] as string));

let server: TestServer;
let threadPath: string;
beforeAll(async () => {
  server = await startServer({ seed: true });
  const list = await (await fetch(`${server.url}/api/v1/threads`)).json();
  threadPath = list.threads[0].url;
});
afterAll(async () => {
  await server?.stop();
});

/** A render through Express (MISS) and then the same page from the fast lane (HIT), of one cache entry. */
async function missThenHit(target: string, headers: Record<string, string> = {}) {
  return until(`a miss and a hit of ${target}`, async () => {
    // A query of its own makes a new cache key, so the first request renders.
    const url = `${target}${target.includes("?") ? "&" : "?"}fresh=${Math.random().toString(36).slice(2)}`;
    const miss = await raw(server.url, url, headers);
    const hit = await raw(server.url, url, headers);
    return miss.headers["x-cache"] === "MISS" && hit.headers["x-cache"] === "HIT" && hit.headers.etag === miss.headers.etag
      ? { miss, hit, url }
      : undefined;
  });
}

describe("the page cache's fast lane", () => {
  it("answers a hit with the headers and body Express gave the miss, and a fresh nonce", async () => {
    for (const accept of [{}, { "Accept-Encoding": "gzip" }] as Record<string, string>[]) {
      const { miss, hit } = await missThenHit(threadPath, accept);
      expect(hit.status).toBe(200);
      expect(stable(hit.headers)).toEqual(stable(miss.headers));
      expect(nonce(hit)).not.toBe(nonce(miss));
      if (!("Accept-Encoding" in accept)) {
        expect(hit.body).toContain(`nonce="${nonce(hit)}"`);
        expect(hit.body.replaceAll(nonce(hit)!, "N")).toBe(miss.body.replaceAll(nonce(miss)!, "N"));
      }
    }
  });

  it("answers the JSON API and HEAD the same way, and revalidates with a 304 that keeps the stored policy", async () => {
    const { miss, hit, url } = await missThenHit("/api/v1/threads");
    expect(stable(hit.headers)).toEqual(stable(miss.headers));
    expect(JSON.parse(hit.body)).toEqual(JSON.parse(miss.body));

    const head = await raw(server.url, url, {}, "HEAD");
    expect(head.headers["x-cache"]).toBe("HIT");
    expect(head.body).toBe("");
    expect(head.headers["content-length"]).toBe(hit.headers["content-length"]);

    const again = await raw(server.url, url, { "If-None-Match": hit.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.headers["content-security-policy"]).toBeUndefined();
    expect(again.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("leaves to Express what it does not answer: refused addresses, brotli, members, writes", async () => {
    const { url } = await missThenHit(threadPath);
    // The URL guard still refuses hidden separators and dot segments on a cached page's address.
    expect((await raw(server.url, `${threadPath}%2f..%2fadmin`)).status).toBe(404);
    expect((await raw(server.url, `/t/%E0%A4%A/x`)).status).toBe(400);
    // Brotli comes from the compression middleware.
    const br = await raw(server.url, url, { "Accept-Encoding": "br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers["x-cache"]).toBe("HIT");
    // A member's page is theirs: never the shared page's cache headers.
    const member = await signIn(server, "member@backline.local");
    const own = await raw(server.url, url, { Cookie: member.cookieHeader() });
    expect(own.headers["cache-control"]).toMatch(/private/);
    // A write to a cached address is a method the page does not answer: 405 from Express, not the page.
    const put = await raw(server.url, url, {}, "PUT");
    expect(put.status).toBe(405);
  });
});
