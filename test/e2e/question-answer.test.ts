import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";
import { Client } from "../helpers/http";

const app = useSeededAppInBrowser();

describe("a support conversation between two members", () => {
  it("one asks, another answers, the first accepts, and the list shows the thread as solved", async () => {
    const asker: Page = (await signInPage(app, "member@backline.local")).page;
    await asker.goto(`${app.server.url}/new?category=pro`);
    await asker.getByLabel("Title").fill("Exports stop at 10,000 rows in the report builder");
    await asker
      .getByLabel("Details (Markdown)")
      .fill("When I export a report with more rows, the CSV is cut at exactly 10,000 rows. Is there a setting?");
    await asker.getByLabel("Tags").fill("exports, reports");
    await asker.getByRole("button", { name: "Post question" }).click();
    await asker.getByRole("heading", { name: "Exports stop at 10,000 rows in the report builder" }).waitFor();
    const threadUrl = asker.url();

    const helper = (await signInPage(app, "member2@backline.local")).page;
    await helper.goto(threadUrl);
    await helper.getByLabel("Reply (Markdown)").fill("Raise `export.maxRows` in **Settings → Reports**; the default is 10,000.");
    await helper.getByRole("button", { name: "Post reply" }).click();
    await helper.getByText("the default is 10,000").waitFor();

    await asker.reload();
    const reply = asker.getByRole("article", { name: /Reply by grace/ });
    await reply.getByRole("button", { name: "✓ Accept as answer" }).click();
    // Shown once, in place, with a pointer to it under the question.
    await asker.getByRole("link", { name: "See the accepted answer by grace" }).waitFor();
    await expect(asker.getByText("✓ Solved").first().isVisible()).resolves.toBe(true);

    await asker.goto(`${app.server.url}/c/pro?solved=true`);
    const row = asker.getByRole("listitem").filter({ hasText: "Exports stop at 10,000 rows" });
    await row.waitFor();
    await expect(row.getByText("✓ Solved").isVisible()).resolves.toBe(true);
    await asker.goto(`${app.server.url}/c/pro?solved=false`);
    await expect(asker.getByText("Exports stop at 10,000 rows").count()).resolves.toBe(0);
    await asker.screenshot({ path: screenshotPath("question-answered"), fullPage: true });

    const api = new Client(app.server.url);
    const threadId = new URL(threadUrl).pathname.split("/")[2];
    const thread = await (await api.get(`/api/v1/threads/${threadId}`)).json();
    expect(thread.solved).toBe(true);
    expect(thread.acceptedPostId).toBe(thread.posts[1].id);
  });
});
