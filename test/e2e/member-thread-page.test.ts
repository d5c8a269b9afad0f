import { describe, expect, it } from "vitest";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";
import { signIn } from "../helpers/http";

// A member's thread page is the shared, cached page plus their own state, applied once the page has
// hydrated (docs/decisions/042). In the browser: everything a member sees, with no hydration error; and
// without JavaScript, the page rendered whole.

const app = useSeededAppInBrowser();

describe("a member's thread page in the browser", () => {
  it("shows the member's name, reply box, votes and controls after hydration, and keeps them after a vote", async () => {
    const grace = await signIn(app.server, "member2@backline.local");
    const created = await grace.post("/api/v1/threads", {
      category: "pro",
      title: "Backups run twice after the upgrade",
      body: "Since the upgrade every nightly backup runs twice. Where do I look?",
    });
    const { url } = await created.json();
    const { page, errors } = await signInPage(app, "member@backline.local");
    await page.goto(`${app.server.url}${url}`);
    // The account menu names the member once their state has hydrated into the shared page.
    await page.locator("summary.account-button", { hasText: "ada" }).waitFor();
    await page.getByLabel("Reply (Markdown)").waitFor();
    const questionCard = page.getByRole("article", { name: "Question" });
    await questionCard.getByRole("button", { name: "Helpful 0 votes", pressed: false }).click();
    // The vote shows as pressed (pressing again takes it back), and is still there after a reload.
    const voted = () => questionCard.getByRole("button", { name: "Helpful 1 vote", pressed: true });
    await voted().waitFor();
    await page.reload();
    await voted().waitFor();
    // The asker sees her own question with Edit and no vote button.
    const asker = await signInPage(app, "member2@backline.local");
    await asker.page.goto(`${app.server.url}${url}`);
    const own = asker.page.getByRole("article", { name: "Question" });
    await own.getByRole("link", { name: "Edit" }).waitFor();
    await expect(own.getByRole("button", { name: /Helpful/ }).count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    expect(asker.errors).toEqual([]);
  });

  it("without JavaScript, sends the member to the page rendered whole, whose reply form posts", async () => {
    const signedIn = await signInPage(app, "member@backline.local");
    const cookies = await signedIn.page.context().cookies();
    const context = await app.browser.newContext({ javaScriptEnabled: false });
    await context.addCookies(cookies);
    const page = await context.newPage();
    const grace = await signIn(app.server, "member2@backline.local");
    const { url } = await (
      await grace.post("/api/v1/threads", {
        category: "pro",
        title: "Webhooks arrive out of order under load",
        body: "Under load the webhooks arrive out of order. Is ordering guaranteed?",
      })
    ).json();
    await page.goto(`${app.server.url}${url}`);
    await page.waitForURL(/view=full/);
    await page.getByLabel("Reply (Markdown)").fill("Ordering is not guaranteed; use the event timestamp to order them.");
    await page.getByRole("button", { name: "Post reply" }).click();
    await page.getByText("use the event timestamp").first().waitFor();
  });
});
