import { describe, expect, it } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";
import { untilSearchIndexed } from "../helpers/wait";

// A member about to ask a question is shown the threads that already answer
// it; a visitor searching with a typo finds the thread and sees the words marked.

const app = useSeededAppInBrowser();

describe("search in the browser", () => {
  it("typing a question's title shows similar threads, solved first with the accepted answer", async () => {
    await untilSearchIndexed(app.server);
    const { page, errors } = await signInPage(app, "member2@backline.local");
    await page.goto(`${app.server.url}/new?category=community`);
    const requests: string[] = [];
    page.on("request", (r) => (r.url().includes("/api/v1/similar") ? requests.push(r.url()) : undefined));
    await page.getByLabel("Title").pressSequentially("npm install fails on Debian with EACCES", { delay: 20 });

    const suggestions = page.getByRole("region", { name: "Existing threads that may answer this" });
    await suggestions.waitFor();
    const first = suggestions.getByRole("listitem").first();
    await expect(first.getByRole("link", { name: "Installation on Debian 12 fails with EACCES" }).isVisible()).resolves.toBe(true);
    await expect(first.getByText("✓ Solved").isVisible()).resolves.toBe(true);
    await expect(first.getByText(/Accepted answer.*npm config set prefix/).isVisible()).resolves.toBe(true);
    // Debounced: one lookup for the finished title, not one per key, and no page reload.
    expect(requests.length).toBeLessThanOrEqual(2);
    expect(page.url()).toContain("/new");
    await page.screenshot({ path: screenshotPath("similar-threads"), fullPage: true });

    await page.getByLabel("Title").fill("Short");
    await suggestions.waitFor({ state: "detached" });
    expect(errors).toEqual([]);
  });

  it("the search page finds a misspelt query and highlights the words", async () => {
    await untilSearchIndexed(app.server);
    const page = await (await app.browser.newContext()).newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(app.server.url);
    await page.getByRole("searchbox", { name: "Search the forum" }).fill("webhok signatur");
    await page.getByRole("searchbox", { name: "Search the forum" }).press("Enter");
    await page.getByRole("heading", { name: /1 thread for “webhok signatur”/ }).waitFor();
    const hit = page.getByRole("listitem").filter({ hasText: "Webhook signature fails after upgrading to 3.2" });
    await expect(hit.locator("mark").allTextContents()).resolves.toEqual(expect.arrayContaining(["Webhook", "signature"]));
    await expect(hit.getByText("✓ Solved").first().isVisible()).resolves.toBe(true);

    // Facets narrow the results without a full reload.
    await page.getByRole("searchbox", { name: "Search for" }).fill("fails");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("heading", { name: /2 threads for “fails”/ }).waitFor();
    await page
      .getByRole("region", { name: "Category" })
      .getByRole("link", { name: /Community Edition/ })
      .click();
    await page.getByRole("heading", { name: /1 thread for “fails”/ }).waitFor();
    await expect(page.getByRole("link", { name: /Installation on Debian 12/ }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath("search-results"), fullPage: true });
    expect(errors).toEqual([]);
  });
});
