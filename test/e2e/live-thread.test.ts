import { describe, expect, it } from "vitest";
import { useSeededAppInBrowser } from "../helpers/e2e";
import { signIn } from "../helpers/http";

// A reader of an open thread sees a reply posted by someone else appear without reloading, and a screen
// reader hears "1 new reply" (docs/decisions/049).

const app = useSeededAppInBrowser();

describe("a live thread", () => {
  it("shows another member's reply to a visitor without a reload", async () => {
    const ada = await signIn(app.server, "member@backline.local");
    const created = await ada.post("/api/v1/threads", {
      category: "pro",
      title: "Does the importer keep custom field order?",
      body: "After importing a CSV, our custom fields appear in alphabetical order instead of the file's order.",
    });
    expect(created.status).toBe(201);
    const thread = (await created.json()) as { id: string; url: string };

    const page = await (await app.browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${app.server.url}${thread.url}`);
    await page.locator('[data-live="ready"]').waitFor({ state: "attached" });
    // Marks this document: after a reload the mark would be gone.
    await page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 1));

    const grace = await signIn(app.server, "member2@backline.local");
    const reply = await grace.post(`/api/v1/threads/${thread.id}/posts`, {
      body: "It keeps the order since 4.1; turn on **Keep column order**.",
    });
    expect(reply.status).toBe(201);

    await page.getByText("turn on Keep column order").waitFor();
    await expect(page.getByRole("status").filter({ hasText: "1 new reply" }).count()).resolves.toBe(1);
    await expect(page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark)).resolves.toBe(1);
  });
});
