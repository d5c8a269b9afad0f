import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gate } from "../helpers/support-world";
import { Client, signIn, TEST_PASSWORD } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { readMailbox } from "../helpers/mailbox";
import { until } from "../helpers/wait";

// Every absolute link the forum writes comes from its configured origin
// (PUBLIC_URL, or in development where the server listens), whatever Host,
// X-Forwarded-Host, Forwarded or Origin a request carries. The attacker asks
// for a password reset for someone else's account with their own host in
// those headers: a link built from them would send the victim's valid token
// to the attacker. Run twice: with default settings (no PUBLIC_URL, the hole
// as it was found) and with a PUBLIC_URL distinct from the listen address, so
// a link taken from the connection is caught as well.

const ATTACKER = "attacker.example";
const CONFIGS: [string, { PUBLIC_URL?: string }][] = [
  ["default settings (development, no PUBLIC_URL)", {}],
  ["PUBLIC_URL set to another host than the listen address", { PUBLIC_URL: "https://forum.example.test" }],
];

/** Each way a request can name a host other than the forum's. */
const HOSTILE: Record<string, Record<string, string>> = {
  Host: { Host: ATTACKER },
  "X-Forwarded-Host": { "X-Forwarded-Host": ATTACKER, "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443" },
  Forwarded: { Forwarded: `for=203.0.113.9;host=${ATTACKER};proto=https` },
  Origin: { Origin: `http://${ATTACKER}`, Referer: `http://${ATTACKER}/forgot-password` },
  "all at once": {
    Host: ATTACKER,
    "X-Forwarded-Host": ATTACKER,
    "X-Forwarded-Server": ATTACKER,
    "X-Host": ATTACKER,
    "X-Original-Host": ATTACKER,
    Forwarded: `host="${ATTACKER}"`,
    Origin: `https://${ATTACKER}`,
  },
};

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: string };

describe.each(CONFIGS)("with %s", (_label, config) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "backline-origin-"));
  const mailbox = path.join(dataDir, "mailbox");
  let server: TestServer;
  let PUBLIC = "";

  /** node:http, because fetch() always writes its own Host header. */
  function send(
    method: string,
    urlPath: string,
    opts: { headers?: Record<string, string>; json?: unknown; form?: Record<string, string>; cookie?: string } = {},
  ) {
    const url = new URL(urlPath, server.url);
    const headers: http.OutgoingHttpHeaders = { ...opts.headers };
    let body: string | undefined;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers["Content-Type"] = "application/json";
    } else if (opts.form) {
      body = new URLSearchParams(opts.form).toString();
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    if (body !== undefined) headers["Content-Length"] = Buffer.byteLength(body);
    if (opts.cookie) headers.Cookie = opts.cookie;
    return new Promise<Raw>((resolve, reject) => {
      const req = http.request(url, { method, headers, agent: false }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  /** Every absolute http(s) URL in a text, e-mail, page or feed. */
  const absoluteUrls = (text: string) => [...text.matchAll(/https?:\/\/[^\s"'<>)\]]+/g)].map((m) => m[0]);

  /** The forum's own links in a text: they all start at PUBLIC_URL, and none names the attacker or the listen address. */
  function expectOwnLinksOnly(text: string, what: string) {
    expect(text, what).not.toContain(ATTACKER);
    if (config.PUBLIC_URL) expect(text, what).not.toContain(new URL(server.url).host);
    const ours = absoluteUrls(text).filter(
      (u) => !/^https?:\/\/(www\.w3\.org|www\.sitemaps\.org|purl\.org|schemas\.|spec\.openapis\.org|json-schema\.org)/.test(u),
    );
    for (const u of ours) expect(u, what).toMatch(new RegExp(`^${PUBLIC}(/|$)`));
    return ours;
  }

  /** Accounts to reset: each takes three reset requests an hour, and sign-ups are limited per address. */
  const victims: { account: { email: string }; used: number }[] = [];
  async function resetVictim() {
    let v = victims.find((x) => x.used < 3);
    if (!v) victims.push((v = { account: await newAccount(`reset_victim_${victims.length}`), used: 0 }));
    v.used++;
    return v.account;
  }

  /** Asks for a reset with `headers`; returns the e-mail it sent (undefined if the request was refused). */
  async function resetMail(via: "api" | "form", headers: Record<string, string>) {
    const victim = await resetVictim();
    const before = readMailbox(mailbox, victim.email);
    const res =
      via === "api"
        ? await send("POST", "/api/v1/password-resets", { headers, json: { email: victim.email } })
        : await send("POST", "/forgot-password", { headers, form: { email: victim.email } });
    const sent = readMailbox(mailbox, victim.email).filter((m) => !before.includes(m));
    // A cross-site Origin on its own is refused by the CSRF check: then nothing is sent at all.
    if (res.status === 403) {
      expect(sent).toEqual([]);
      return undefined;
    }
    expect(res.status).toBe(via === "api" ? 202 : 200);
    expect(sent).toHaveLength(1);
    return sent[0]!;
  }

  async function newAccount(name: string) {
    const account = { username: name, email: `${name}@example.com`, password: TEST_PASSWORD };
    const res = await new Client(server.url).post("/api/v1/users", account);
    expect(res.status).toBe(201);
    return account;
  }

  beforeAll(async () => {
    server = await startServer({ seed: true, env: { DATA_DIR: dataDir, NOTIFICATION_EMAIL_DELAY_SECONDS: "0", ...config } });
    // Without PUBLIC_URL, development links name the address the server listens on (HOST=127.0.0.1 in tests).
    PUBLIC = config.PUBLIC_URL ?? server.url;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe("password reset links", () => {
    it.each(Object.entries(HOSTILE))(
      "over the API with a hostile %s header, the e-mail links to PUBLIC_URL only",
      async (name, headers) => {
        const mail = await resetMail("api", headers);
        if (name === "Origin") expect(mail).toBeUndefined();
        else
          expect(expectOwnLinksOnly(mail!, name)).toEqual([
            expect.stringMatching(new RegExp(`^${PUBLIC}/reset-password/[A-Za-z0-9_-]{20,}$`)),
          ]);
      },
    );

    it.each(Object.entries(HOSTILE))(
      "through the /forgot-password form with a hostile %s header, the e-mail links to PUBLIC_URL only",
      async (name, headers) => {
        const mail = await resetMail("form", headers);
        if (name === "Origin") expect(mail).toBeUndefined();
        else
          expect(expectOwnLinksOnly(mail!, name)).toEqual([
            expect.stringMatching(new RegExp(`^${PUBLIC}/reset-password/[A-Za-z0-9_-]{20,}$`)),
          ]);
      },
    );

    it("the link from PUBLIC_URL works: its path on this server sets a new password", async () => {
      const victim = await newAccount("reset_follow");
      expect(
        (await send("POST", "/api/v1/password-resets", { headers: HOSTILE["all at once"], json: { email: victim.email } })).status,
      ).toBe(202);
      const [link] = absoluteUrls(readMailbox(mailbox, victim.email)[0]!);
      const resetPath = new URL(link!).pathname;
      expect((await send("GET", resetPath)).status).toBe(200);
      const password = "another long passphrase 7";
      const res = await send("POST", resetPath, { headers: { Origin: server.url }, form: { password, confirm: password } });
      expect(res.status).toBe(302);
      expect((await new Client(server.url).post("/api/v1/session", { email: victim.email, password })).status).toBe(200);
    });
  });

  describe("feeds, sitemap, robots.txt and the API description", () => {
    let thread: { id: string; slug: string };
    let category: string;
    beforeAll(async () => {
      const member = await signIn(server, "member@backline.local");
      category = (await (await member.get("/api/v1/categories")).json())[0].slug;
      const res = await member.post("/api/v1/threads", {
        category,
        title: "Feeds link to the forum itself",
        body: "See [the docs](/tags) and @member2 for details.",
      });
      expect(res.status).toBe(201);
      thread = await res.json();
    });

    const paths = () => [
      "/latest.rss",
      "/latest.atom",
      `/c/${category}/feed.rss`,
      `/c/${category}/feed.atom`,
      `/t/${thread.id}/feed.rss`,
      `/t/${thread.id}/feed.atom`,
      "/sitemap.xml",
      "/sitemap.xml?section=pages",
      "/robots.txt",
      "/api/v1/openapi.json",
    ];

    it.each(Object.entries(HOSTILE))("with a hostile %s header, every absolute link is on PUBLIC_URL", async (name, headers) => {
      for (const p of paths()) {
        const res = await send("GET", p, { headers });
        expect(res.status, p).toBe(200);
        const links = expectOwnLinksOnly(res.body, `${name} ${p}`);
        if (p !== "/api/v1/openapi.json") expect(links.length, p).toBeGreaterThan(0);
      }
    });
  });

  describe("canonical and OpenGraph URLs on pages", () => {
    let thread: { id: string; slug: string };
    beforeAll(async () => {
      thread = (await (await new Client(server.url).get("/api/v1/threads")).json()).threads[0];
    });

    const pages = () => [
      "/latest",
      "/top",
      "/unanswered",
      `/t/${thread.id}/${thread.slug}`,
      "/u/ada",
      "/tags",
      "/search?q=backup",
      "/c/pro",
    ];
    const metaUrls = (html: string) => [
      ...[...html.matchAll(/<link[^>]*rel="canonical"[^>]*href="([^"]*)"/g)].map((m) => m[1]!),
      ...[...html.matchAll(/<meta[^>]*property="og:url"[^>]*content="([^"]*)"/g)].map((m) => m[1]!),
    ];

    it.each(Object.entries(HOSTILE))(
      "with a hostile %s header, canonical and og:url start at PUBLIC_URL, for visitors and members",
      async (name, headers) => {
        const member = await signIn(server, "member2@backline.local");
        for (const cookie of [undefined, member.cookieHeader()]) {
          for (const p of pages()) {
            const res = await send("GET", p, { headers, cookie });
            expect(res.status, p).toBe(200);
            const urls = metaUrls(res.body);
            expect(urls.length, `${name} ${p}`).toBeGreaterThanOrEqual(2);
            for (const u of urls) expect(u, `${name} ${p}`).toMatch(new RegExp(`^${PUBLIC}/`));
            expect(res.body, `${name} ${p}`).not.toContain(ATTACKER);
          }
        }
      },
    );

    it("the loader data behind those pages (single-fetch .data requests) carries PUBLIC_URL, never the request's host", async () => {
      for (const p of [
        "/latest.data",
        "/c/pro.data",
        "/tags.data",
        "/u/ada.data",
        "/search.data?q=backup",
        `/t/${thread.id}/${thread.slug}.data`,
      ]) {
        const res = await send("GET", p, { headers: HOSTILE["all at once"] });
        expect(res.status, p).toBe(200);
        expect(res.body, p).not.toContain(ATTACKER);
        expect(res.body, p).toContain(PUBLIC);
      }
    });
  });

  describe("checkout links", () => {
    let proThread: { id: string };
    beforeAll(async () => {
      proThread = (await (await new Client(server.url).get("/api/v1/threads?category=pro")).json()).threads[0];
    });

    /** The path of a link on PUBLIC_URL, to follow it on the test server. */
    const local = (link: string) => {
      expect(link).toMatch(new RegExp(`^${PUBLIC}/`));
      return link.slice(PUBLIC.length);
    };

    it("escalating over the API with hostile headers gives a checkout URL on PUBLIC_URL, and checkout returns there", async () => {
      const member = await signIn(server, "member@backline.local");
      const res = await send("POST", `/api/v1/threads/${proThread.id}/escalations`, {
        headers: HOSTILE["all at once"],
        json: gate(),
        cookie: member.cookieHeader(),
      });
      expect(res.status).toBe(201);
      const { checkoutUrl, escalationId } = JSON.parse(res.body);
      expect(local(checkoutUrl)).toBe(`/test-checkout/${escalationId}`);
      // The test checkout page sends the member back to the escalation page: relative, so on the same site.
      const paid = await send("POST", local(checkoutUrl), {
        headers: { Origin: server.url },
        form: { intent: "authorize" },
        cookie: member.cookieHeader(),
      });
      expect(paid.status).toBe(302);
      expect(paid.headers.location).not.toContain(ATTACKER);
    });

    it("escalating through the page form with hostile headers redirects to a checkout on PUBLIC_URL", async () => {
      const member = await signIn(server, "member2@backline.local");
      const fields = Object.fromEntries(Object.entries(gate()).map(([k, v]) => [k, v === true ? "on" : String(v)]));
      const res = await send("POST", `/escalate/${proThread.id}`, {
        headers: { Host: ATTACKER, "X-Forwarded-Host": ATTACKER, Forwarded: `host=${ATTACKER}` },
        form: fields,
        cookie: member.cookieHeader(),
      });
      expect(res.status).toBe(302);
      expect(local(res.headers.location!)).toMatch(/^\/test-checkout\/[\w-]+$/);
    });

    it("buying support insurance with hostile headers redirects to a checkout on PUBLIC_URL", async () => {
      const buyer = await newAccount("insurance_buyer");
      const client = await (async () => {
        const c = new Client(server.url);
        expect((await c.post("/api/v1/session", { email: buyer.email, password: buyer.password })).status).toBe(200);
        return c;
      })();
      const admin = await signIn(server, "admin@backline.local");
      const created = await admin.request("POST", "/admin/insurance", {
        form: { intent: "create", name: "Yearly cover", priceCents: "50000", coverageCents: "20000", currency: "usd", active: "on" },
        headers: { Origin: server.url },
      });
      expect(created.status).toBe(200);
      const plan = (await (await client.get("/api/v1/insurance")).json()).plans[0];
      const res = await send("POST", "/insurance", {
        headers: { Host: ATTACKER, "X-Forwarded-Host": ATTACKER, Forwarded: `host=${ATTACKER}` },
        form: { intent: "buy", planId: plan.id },
        cookie: client.cookieHeader(),
      });
      expect(res.status).toBe(302);
      expect(local(res.headers.location!)).toMatch(/^\/test-checkout\/insurance\/[\w-]+$/);
    });
  });

  describe("notification e-mails", () => {
    it("a reply posted with hostile headers is announced by e-mail with links on PUBLIC_URL only", async () => {
      const asker = await signIn(server, "member@backline.local");
      const created = await asker.post("/api/v1/threads", {
        category: "community",
        title: "Who links my notification mail",
        body: "The reply below comes with a hostile Host header.",
      });
      expect(created.status).toBe(201);
      const { id } = await created.json();
      const helper = await signIn(server, "member2@backline.local");
      const before = readMailbox(mailbox, "member@backline.local").length;
      const res = await send("POST", `/api/v1/threads/${id}/posts`, {
        headers: HOSTILE["all at once"],
        json: { body: "Try the scheduler log first." },
        cookie: helper.cookieHeader(),
      });
      expect(res.status).toBe(201);
      const mail = await until("the e-mail", () =>
        readMailbox(mailbox, "member@backline.local")
          .slice(before)
          .find((m) => m.includes("Who links my notification mail")),
      );
      const links = expectOwnLinksOnly(mail, "notification e-mail");
      expect(links.some((l) => l.startsWith(`${PUBLIC}/t/${id}`))).toBe(true);
    });
  });
});
