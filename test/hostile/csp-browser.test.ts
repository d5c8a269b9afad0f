import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";
import { untilSearchIndexed } from "../helpers/wait";

// The Content-Security-Policy holds in a real browser: Chromium refuses nothing
// the forum itself sends (not one violation on the main pages, cached or not),
// and the app still hydrates and runs its client-side code under the policy.

const app = useSeededAppInBrowser();

type Watch = { problems: string[]; violations: () => Promise<string[]> };

/** Records CSP violations (the DOM event and Chromium's console report) and page errors. */
async function watch(page: Page): Promise<Watch> {
  const problems: string[] = [];
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} ${e.sample}`);
    });
  });
  page.on("console", (m) => {
    if (m.type() === "error" || /Content.Security.Policy/i.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`${page.url()}: ${String(e)}`));
  return { problems, violations: () => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations) };
}

/** Hydrated: Remix's client router is up, which only the inline (nonce) scripts can start. */
async function hydrated(page: Page) {
  await page.waitForFunction(
    () => (window as unknown as { __remixRouter?: { state: { initialized: boolean } } }).__remixRouter?.state.initialized === true,
  );
}

async function visit(page: Page, w: Watch, path: string, status = 200) {
  const res = await page.goto(`${app.server.url}${path}`);
  expect(res?.status(), path).toBe(status);
  // Refused inline scripts are reported while the document parses, before "load".
  expect(await w.violations(), path).toEqual([]);
  await hydrated(page);
}

/** Sets a marker that a full page load would wipe, runs `act`, and checks the marker survived. */
async function withoutReload(page: Page, act: () => Promise<void>) {
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
  await act();
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
}

/** Asks for a public page until this server answers it from its page cache (bounded, no fixed sleep). */
async function untilCached(path: string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${app.server.url}${path}`);
    await res.arrayBuffer();
    if (res.headers.get("x-cache") === "HIT") return;
  }
  throw new Error(`${path} was never served from the page cache`);
}

describe("the Content-Security-Policy in Chromium", () => {
  it("lets an anonymous visitor browse, navigate client-side and revisit cached pages with zero violations", async () => {
    const page = await (await app.browser.newContext()).newPage();
    page.setDefaultTimeout(15_000);
    const w = await watch(page);
    const documents: { url: string; status: number; csp: string | undefined; revalidated: boolean }[] = [];
    page.on("response", async (r) => {
      if (r.request().resourceType() !== "document") return;
      const sent = await r.request().allHeaders();
      documents.push({
        url: r.url(),
        status: r.status(),
        csp: (await r.allHeaders())["content-security-policy"],
        revalidated: "if-none-match" in sent,
      });
    });

    // Start-up work (re-rendering, indexing) may change content and drop a render before it is stored:
    // wait until the home page is served from the cache, so the browser gets a copy it can revalidate.
    await untilCached("/");
    await visit(page, w, "/");
    // Again: the browser revalidates its stored copy (If-None-Match → 304) and runs
    // that copy's scripts under that copy's policy.
    await visit(page, w, "/");
    expect(
      documents.filter((d) => d.url === `${app.server.url}/`).some((d) => d.revalidated),
      "the second visit revalidated",
    ).toBe(true);

    // Client-side navigation: the router fetches data and renders, no page load.
    await withoutReload(page, async () => {
      await page.getByRole("link", { name: "Backline Pro" }).first().click();
      await page.waitForURL(/\/c\/pro$/);
      await page.getByRole("heading", { name: "Backline Pro" }).waitFor();
      await page
        .getByRole("link", { name: /Webhook/i })
        .first()
        .click();
      await page.waitForURL(/\/t\//);
      await page.getByRole("article").first().waitFor();
    });
    expect(await w.violations()).toEqual([]);
    const threadPath = new URL(page.url()).pathname;

    await visit(page, w, threadPath);
    await visit(page, w, threadPath);
    for (const path of ["/search?q=webhook", "/latest", "/tags", "/u/ada", "/join", "/forgot-password"]) await visit(page, w, path);
    await visit(page, w, "/login");
    await visit(page, w, "/no-such-page", 404);

    // The policy the browser actually enforced carried a different nonce for each full page load.
    const nonces = documents.filter((d) => d.status === 200 && d.csp).map((d) => /'nonce-([^']+)'/.exec(d.csp!)![1]);
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(w.problems.filter((p) => !p.includes("404"))).toEqual([]);
  });

  it("lets a member write a question with live suggestions, with zero violations", async () => {
    await untilSearchIndexed(app.server);
    const { page, errors } = await signInPage(app, "member2@backline.local");
    const w = await watch(page);
    await visit(page, w, "/");
    await visit(page, w, "/new?category=community");
    await withoutReload(page, async () => {
      await page.getByLabel("Title").pressSequentially("npm install fails on Debian with EACCES", { delay: 10 });
      // Shown by a client-side fetch to /api/v1/similar: the app's JavaScript is running.
      await page.getByRole("region", { name: "Existing threads that may answer this" }).waitFor();
    });
    // Her own question in the paid category, the escalation form with its tier choice, tickets and insurance.
    const { threads } = await (await fetch(`${app.server.url}/api/v1/threads`)).json();
    const own = threads.find((t: { title: string }) => t.title === "How do I rotate API keys without downtime?");
    await visit(page, w, own.url);
    await visit(page, w, `/escalate/${own.id}`);
    for (const path of ["/tickets", "/insurance", "/settings", "/notifications"]) await visit(page, w, path);
    expect(await w.violations()).toEqual([]);
    expect([...errors, ...w.problems]).toEqual([]);
  });

  it("lets a maintainer work the desk, filtering client-side, with zero violations", async () => {
    const { page, errors } = await signInPage(app, "maintainer@backline.local");
    const w = await watch(page);
    await visit(page, w, "/desk");
    await withoutReload(page, async () => {
      await page.getByLabel("Tier").selectOption({ index: 1 });
      await page.waitForURL(/\/desk\?.*tier=/);
    });
    await visit(page, w, "/desk/numbers");
    expect(await w.violations()).toEqual([]);
    expect([...errors, ...w.problems]).toEqual([]);
  });

  it("walks the paid lane (forms, test checkout, ticket pages for member and maintainer) with zero violations", async () => {
    const { page: member, errors } = await signInPage(app, "member@backline.local");
    const w = await watch(member);
    const { threads } = await (await fetch(`${app.server.url}/api/v1/threads`)).json();
    const thread = threads.find((t: { title: string }) => t.title === "How do I rotate API keys without downtime?");
    await visit(member, w, `/escalate/${thread.id}`);
    await member.getByLabel(/Priority/).check();
    await member.getByLabel("Product version").fill("3.2.1");
    await member.getByLabel("Environment").fill("Ubuntu 24.04, Node 20.19, PostgreSQL 16");
    await member.getByLabel("Steps to reproduce").fill("1. Create a second key\n2. Deploy it to half the fleet\n3. Old key fails at once");
    await member.getByLabel("What you already tried").fill("Restarting every worker after the deploy; same failures.");
    await member.getByLabel(/I understand the scope/).check();
    await member.getByRole("button", { name: "Continue to payment" }).click();
    await member.getByRole("heading", { name: "Test checkout" }).waitFor();
    expect(await w.violations()).toEqual([]);
    await member.getByRole("button", { name: /Authorize/ }).click();
    await member.waitForURL(/\/tickets\/[a-z0-9]+$/);
    const ticketPath = new URL(member.url()).pathname;
    await visit(member, w, ticketPath);

    const { page: maintainer, errors: maintainerErrors } = await signInPage(app, "maintainer@backline.local");
    const m = await watch(maintainer);
    await visit(maintainer, m, "/desk");
    await visit(maintainer, m, ticketPath);
    expect([...errors, ...maintainerErrors, ...w.problems, ...m.problems]).toEqual([]);
  });

  it("shows an admin the moderation and admin pages with zero violations", async () => {
    const { page, errors } = await signInPage(app, "admin@backline.local");
    const w = await watch(page);
    for (const path of ["/mod", "/mod/audit", "/admin", "/admin/categories", "/admin/tiers", "/admin/macros", "/admin/insurance"]) {
      await visit(page, w, path);
    }
    expect([...errors, ...w.problems]).toEqual([]);
  });
});
