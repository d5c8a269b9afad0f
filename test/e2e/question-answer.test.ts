import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { Client } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ seed: true }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill("demo-password-2026");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("link", { name: /Account settings for/ }).waitFor();
  return page;
}

describe("a support conversation between two members", () => {
  it("one asks, another answers, the first accepts, and the list shows the thread as solved", async () => {
    const asker: Page = await signIn("member@backline.local");
    await asker.goto(`${server.url}/new?category=pro`);
    await asker.getByLabel("Title").fill("Exports stop at 10,000 rows in the report builder");
    await asker.getByLabel("Details (Markdown)").fill("When I export a report with more rows, the CSV is cut at exactly 10,000 rows. Is there a setting?");
    await asker.getByLabel("Tags").fill("exports, reports");
    await asker.getByRole("button", { name: "Post question" }).click();
    await asker.getByRole("heading", { name: "Exports stop at 10,000 rows in the report builder" }).waitFor();
    const threadUrl = asker.url();

    const helper = await signIn("member2@backline.local");
    await helper.goto(threadUrl);
    await helper.getByLabel("Reply (Markdown)").fill("Raise `export.maxRows` in **Settings → Reports**; the default is 10,000.");
    await helper.getByRole("button", { name: "Post reply" }).click();
    await helper.getByText("the default is 10,000").waitFor();

    await asker.reload();
    const reply = asker.getByRole("article", { name: /Reply by grace/ });
    await reply.getByRole("button", { name: "✓ Accept as answer" }).click();
    await asker.getByRole("heading", { name: "Accepted answer" }).waitFor();
    await expect(asker.getByText("✓ Solved").first().isVisible()).resolves.toBe(true);

    await asker.goto(`${server.url}/c/pro?solved=true`);
    const row = asker.getByRole("listitem").filter({ hasText: "Exports stop at 10,000 rows" });
    await row.waitFor();
    await expect(row.getByText("✓ Solved").isVisible()).resolves.toBe(true);
    await asker.goto(`${server.url}/c/pro?solved=false`);
    await expect(asker.getByText("Exports stop at 10,000 rows").count()).resolves.toBe(0);
    await asker.screenshot({ path: screenshotPath("question-answered"), fullPage: true });

    const api = new Client(server.url);
    const threadId = new URL(threadUrl).pathname.split("/")[2];
    const thread = await (await api.get(`/api/v1/threads/${threadId}`)).json();
    expect(thread.solved).toBe(true);
    expect(thread.acceptedPostId).toBe(thread.posts[1].id);
  });
});
