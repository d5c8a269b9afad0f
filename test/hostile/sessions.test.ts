import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv, resetEnvForTests } from "~/env.server";
import { createApp } from "~/server/http";
import { startServer, type TestServer } from "../helpers/server";
import { useTestDatabase } from "../helpers/database";
import { TEST_PASSWORD } from "../helpers/http";

// Sessions under attack: cookie flags, fixation, replay after sign-out, and
// revoked API tokens — over real HTTP against the built app.

let n = 0;

/** A browser that we drive by hand, so a test can keep, plant and replay cookies. */
class Browser {
  cookie: string | undefined;
  constructor(private base: string) {}

  async send(method: string, path: string, opts: { json?: unknown; form?: Record<string, string>; bearer?: string } = {}) {
    const headers: Record<string, string> = { Origin: this.base };
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(opts.form).toString();
    }
    if (this.cookie) headers.Cookie = this.cookie;
    if (opts.bearer) headers.Authorization = `Bearer ${opts.bearer}`;
    const res = await fetch(this.base + path, { method, headers, body, redirect: "manual" });
    const set = res.headers.getSetCookie().find((c) => c.startsWith("__session="));
    if (set) this.cookie = /expires=Thu, 01 Jan 1970|max-age=0/i.test(set) ? undefined : set.split(";")[0];
    return res;
  }

  /** Who the server thinks this browser is, or null when signed out. */
  async whoAmI(): Promise<string | null> {
    const res = await this.send("GET", "/api/v1/me");
    if (res.status === 401) return null;
    expect(res.status).toBe(200);
    return (await res.json()).username;
  }
}

/** The database session id inside a signed __session cookie (`name=base64(json).signature`). */
function sessionIdOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf("=") + 1));
  const data = JSON.parse(Buffer.from(value.slice(0, value.lastIndexOf(".")), "base64").toString("utf8"));
  return data.sessionId;
}

describe("sessions against the built server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function member() {
    n += 1;
    const account = {
      username: `sess_${n}_${Math.random().toString(36).slice(2, 6)}`,
      email: `sess${n}${Math.random().toString(36).slice(2, 6)}@example.com`,
      password: TEST_PASSWORD,
    };
    const res = await new Browser(server.url).send("POST", "/api/v1/users", { json: account });
    expect(res.status).toBe(201);
    return account;
  }

  const formSignIn = async (browser: Browser, account: { email: string }) => {
    const res = await browser.send("POST", "/login", { form: { email: account.email, password: TEST_PASSWORD, redirectTo: "/" } });
    expect(res.status).toBe(302);
    return res;
  };
  const apiSignIn = async (browser: Browser, account: { email: string }) => {
    const res = await browser.send("POST", "/api/v1/session", { json: { email: account.email, password: TEST_PASSWORD } });
    expect(res.status).toBe(200);
    return res;
  };

  it("sets the session cookie HttpOnly, SameSite=Lax, Path=/ and, over plain HTTP, without Secure", async () => {
    const account = await member();
    for (const signIn of [formSignIn, apiSignIn]) {
      const res = await signIn(new Browser(server.url), account);
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__session="))!;
      const attributes = cookie
        .split(";")
        .slice(1)
        .map((a) => a.trim().toLowerCase());
      expect(attributes).toContain("httponly");
      expect(attributes).toContain("samesite=lax");
      expect(attributes).toContain("path=/");
      expect(attributes).toContainEqual(expect.stringMatching(/^max-age=\d+$/));
      // Over http://, a Secure cookie would never come back and nobody could sign in.
      expect(attributes).not.toContain("secure");
    }
  });

  it("never lets a cookie an attacker planted become the victim's session", async () => {
    const attacker = await member();
    const victim = await member();
    const attackerBrowser = new Browser(server.url);
    await formSignIn(attackerBrowser, attacker);
    const planted = attackerBrowser.cookie!;

    for (const signIn of [formSignIn, apiSignIn]) {
      // The attacker's own signed-in cookie, planted in the victim's browser (e.g. through a sibling subdomain).
      const victimBrowser = new Browser(server.url);
      victimBrowser.cookie = planted;
      await signIn(victimBrowser, victim);
      expect(victimBrowser.cookie).not.toBe(planted);
      expect(sessionIdOf(victimBrowser.cookie!)).not.toBe(sessionIdOf(planted));
      expect(await victimBrowser.whoAmI()).toBe(victim.username);

      // The attacker, still holding the planted cookie, is not the victim.
      const replay = new Browser(server.url);
      replay.cookie = planted;
      expect(await replay.whoAmI()).not.toBe(victim.username);
    }
  });

  it("ignores a cookie that names a real session but was not signed by the server", async () => {
    const account = await member();
    const browser = new Browser(server.url);
    await apiSignIn(browser, account);
    const id = sessionIdOf(browser.cookie!);
    const forged = new Browser(server.url);
    forged.cookie = `__session=${encodeURIComponent(Buffer.from(JSON.stringify({ sessionId: id })).toString("base64"))}`;
    expect(await forged.whoAmI()).toBeNull();
    forged.cookie = `${browser.cookie!.slice(0, -3)}AAA`;
    expect(await forged.whoAmI()).toBeNull();
  });

  it("gives every sign-in a new session id and ends the one it replaces", async () => {
    const account = await member();
    for (const signIn of [formSignIn, apiSignIn]) {
      const browser = new Browser(server.url);
      await signIn(browser, account);
      const first = browser.cookie!;
      await signIn(browser, account);
      const second = browser.cookie!;
      expect(sessionIdOf(second)).not.toBe(sessionIdOf(first));

      const old = new Browser(server.url);
      old.cookie = first;
      expect(await old.whoAmI(), "the replaced session is over").toBeNull();
      expect(await browser.whoAmI()).toBe(account.username);
    }
    // Two browsers are two sessions, and both stay signed in.
    const laptop = new Browser(server.url);
    const phone = new Browser(server.url);
    await formSignIn(laptop, account);
    await apiSignIn(phone, account);
    expect(sessionIdOf(laptop.cookie!)).not.toBe(sessionIdOf(phone.cookie!));
    expect(await laptop.whoAmI()).toBe(account.username);
    expect(await phone.whoAmI()).toBe(account.username);
  });

  it("ends the session on the server at sign-out, so a copied cookie is worth nothing", async () => {
    const account = await member();
    const signOuts: [string, (b: Browser) => Promise<Response>][] = [
      ["the sign-out button", (b) => b.send("POST", "/logout", { form: {} })],
      ["DELETE /api/v1/session", (b) => b.send("DELETE", "/api/v1/session")],
    ];
    for (const [how, signOut] of signOuts) {
      const browser = new Browser(server.url);
      await formSignIn(browser, account);
      const copied = browser.cookie!;
      const res = await signOut(browser);
      expect([204, 302], how).toContain(res.status);
      expect(browser.cookie, `${how} clears the cookie`).toBeUndefined();

      const thief = new Browser(server.url);
      thief.cookie = copied;
      expect(await thief.whoAmI(), how).toBeNull();
      const settings = await thief.send("GET", "/settings");
      expect(settings.status, how).toBe(302);
      expect(settings.headers.get("location"), how).toBe("/login?redirectTo=%2Fsettings");
      const reply = await thief.send("POST", "/api/v1/tokens", { json: { name: "stolen" } });
      expect(reply.status, how).toBe(401);
    }
  });

  it("signs out every browser with 'Sign out everywhere'", async () => {
    const account = await member();
    const browsers = [new Browser(server.url), new Browser(server.url), new Browser(server.url)];
    for (const b of browsers) await formSignIn(b, account);
    const cookies = browsers.map((b) => b.cookie!);

    const res = await browsers[0]!.send("POST", "/settings", { form: { intent: "sign-out-everywhere" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login");
    for (const cookie of cookies) {
      const b = new Browser(server.url);
      b.cookie = cookie;
      expect(await b.whoAmI()).toBeNull();
    }
    // Signing in again works and starts a session of its own.
    const again = new Browser(server.url);
    await formSignIn(again, account);
    expect(await again.whoAmI()).toBe(account.username);
  });

  it("stops a revoked API token at once, and only its owner can revoke it", async () => {
    const owner = await member();
    const other = await member();
    const ownerBrowser = new Browser(server.url);
    await apiSignIn(ownerBrowser, owner);
    const created = await ownerBrowser.send("POST", "/api/v1/tokens", { json: { name: "deploy bot" } });
    expect(created.status).toBe(201);
    const { id, token } = await created.json();
    const bot = new Browser(server.url);
    expect((await bot.send("GET", "/api/v1/me", { bearer: token })).status).toBe(200);

    // Someone else's "revoke" changes nothing.
    const otherBrowser = new Browser(server.url);
    await formSignIn(otherBrowser, other);
    await otherBrowser.send("POST", "/settings", { form: { intent: "revoke-token", tokenId: id } });
    expect((await bot.send("GET", "/api/v1/me", { bearer: token })).status).toBe(200);

    const revoked = await ownerBrowser.send("POST", "/settings", { form: { intent: "revoke-token", tokenId: id } });
    expect(revoked.status).toBe(200);
    for (const [method, path] of [
      ["GET", "/api/v1/me"],
      ["POST", "/api/v1/tokens"],
    ] as const) {
      const res = await bot.send(method, path, { bearer: token, json: method === "POST" ? { name: "x" } : undefined });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    // Revoking a token leaves the owner's browser session alone.
    expect(await ownerBrowser.whoAmI()).toBe(owner.username);
  });
});

describe("when the site is served over HTTPS", () => {
  // PUBLIC_URL says visitors come over https:// (TLS ends at a proxy). The built
  // app runs in this process so the test can speak plain HTTP to it.
  useTestDatabase();
  let app: Server | undefined;
  let stopCache: (() => Promise<void>) | undefined;
  let base: string;
  beforeAll(async () => {
    process.env.PUBLIC_URL = "https://forum.example.test";
    resetEnvForTests();
    const root = path.resolve(__dirname, "../..");
    const build = createRequire(__filename)(path.join(root, "build/index.js")) as ServerBuild;
    const express = createApp(build, root, [process.env.PUBLIC_URL]);
    stopCache = () => express.locals.pageCache.stop();
    app = await new Promise<Server>((resolve) => {
      const s = express.listen(0, "127.0.0.1", () => resolve(s));
    });
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await stopCache?.();
    await new Promise((r) => (app ? app.close(r) : r(null)));
    delete process.env.PUBLIC_URL;
    resetEnvForTests();
  });

  it("marks the session cookie Secure and pins HTTPS with Strict-Transport-Security", async () => {
    const browser = new Browser(base);
    const account = { username: "https_user", email: "https@example.com", password: TEST_PASSWORD };
    expect((await browser.send("POST", "/api/v1/users", { json: account })).status).toBe(201);
    const res = await browser.send("POST", "/api/v1/session", { json: { email: account.email, password: TEST_PASSWORD } });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__session="))!;
    expect(cookie.split(";").map((a) => a.trim().toLowerCase())).toEqual(
      expect.arrayContaining(["secure", "httponly", "samesite=lax", "path=/"]),
    );

    for (const p of ["/", "/login", "/api/v1/threads"]) {
      const page = await fetch(base + p);
      expect(page.headers.get("strict-transport-security"), p).toMatch(/^max-age=31536000$/);
    }
  });

  it("decides HTTPS from PUBLIC_URL, which production requires", () => {
    const production = {
      BACKLINE_MODE: "production",
      SESSION_SECRET: "x".repeat(32),
      STRIPE_SECRET_KEY: "sk_live_1",
      STRIPE_WEBHOOK_SECRET: "whsec_1",
    };
    expect(parseEnv({}).servedOverHttps).toBe(false);
    expect(parseEnv({ PUBLIC_URL: "https://forum.example.com" }).servedOverHttps).toBe(true);
    expect(() => parseEnv(production)).toThrow(/PUBLIC_URL is required/);
    expect(parseEnv({ ...production, PUBLIC_URL: "https://forum.example.com" }).servedOverHttps).toBe(true);
    // An explicit http:// address in production: Secure cookies would lock everyone out.
    expect(parseEnv({ ...production, PUBLIC_URL: "http://intranet.example" }).servedOverHttps).toBe(false);
  });
});
