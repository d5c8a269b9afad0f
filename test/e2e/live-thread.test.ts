import { describe, expect, it } from "vitest";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";
import { signIn } from "../helpers/http";
import { paidTicket } from "../helpers/paid-ticket";

// A reader of an open thread sees a reply posted by someone else appear without reloading, and a screen
// reader hears "1 new reply"; the desk's queue takes in a new paid ticket the same way (docs/decisions/049).

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

  it("shows the maintainer a new paid ticket in the desk queue without a reload", async () => {
    const { page, errors } = await signInPage(app, "maintainer@backline.local");
    await page.goto(`${app.server.url}/desk`);
    await page.locator('[data-live="ready"]').waitFor({ state: "attached" });
    await page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 1));

    const grace = await signIn(app.server, "member2@backline.local");
    const created = await grace.post("/api/v1/threads", {
      category: "pro",
      title: "Exports time out for accounts with many projects",
      body: "Exporting an account with 400 projects stops after 30 seconds with a 504 from the proxy.",
    });
    expect(created.status).toBe(201);
    await paidTicket(app.server, grace, ((await created.json()) as { id: string }).id);

    // The announcement comes from the stream only (the desk's own refresh is every 30 s and says nothing).
    await page.getByRole("status").filter({ hasText: "The queue changed." }).waitFor({ state: "attached" });
    await page.getByText("Exports time out for accounts with many projects").waitFor();
    await expect(page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark)).resolves.toBe(1);
    expect(errors).toEqual([]);
  });
});
