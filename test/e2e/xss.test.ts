import { describe, expect, it } from "vitest";
import { XSS_PAYLOADS } from "../fixtures/xss-payloads";
import { screenshotPath } from "../helpers/browser";
import { useSeededAppInBrowser } from "../helpers/e2e";
import { Client } from "../helpers/http";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";

const app = useSeededAppInBrowser();

describe("a thread full of hostile markup", () => {
  it("renders without running any script or opening any dialog", async () => {
    const api = new Client(app.server.url);
    await api.post("/api/v1/session", { email: "moderator@backline.local", password: DEMO_PASSWORD });
    const created = await api.post("/api/v1/threads", {
      category: "pro",
      title: "Every payload in one thread",
      body: XSS_PAYLOADS.slice(0, 20).join("\n\n"),
    });
    const { id, url } = await created.json();
    await api.post(`/api/v1/threads/${id}/posts`, { body: XSS_PAYLOADS.slice(20).join("\n\n") });

    const page = await app.browser.newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(app.server.url + url);
    await page.getByRole("heading", { name: "Every payload in one thread" }).waitFor();
    // Every image has loaded or failed (an off-screen lazy one never starts), so a surviving onerror/onload handler has fired.
    await page.waitForLoadState("load");
    await page.waitForFunction(() => [...document.images].every((img) => img.complete || img.loading === "lazy"));
    await page.mouse.move(200, 400);
    for (const link of await page.locator(".post-body a").all()) await link.hover().catch(() => {});

    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.locator(".post-body script, .post-body iframe, .post-body svg").count()).toBe(0);
    await page.screenshot({ path: screenshotPath("xss-thread"), fullPage: true });
  });
});
