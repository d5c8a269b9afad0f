import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";
import { signIn, type Client } from "../helpers/http";
import { paidTicket } from "../helpers/paid-ticket";

// A reader of an open thread sees a reply posted by someone else appear without reloading, and a screen
// reader hears "1 new reply"; the desk's queue takes in a new paid ticket the same way (docs/decisions/049).

const app = useSeededAppInBrowser();

/** A new thread in the supported category, over the API. */
async function newThread(author: Client, title: string, body: string) {
  const created = await author.post("/api/v1/threads", { category: "pro", title, body });
  expect(created.status).toBe(201);
  return (await created.json()) as { id: string; url: string };
}

/** Opens `path` once its live stream is connected, and marks the document: after a reload the mark would be gone. */
async function watch(page: Page, path: string) {
  await page.goto(app.server.url + path);
  await page.locator('[data-live="ready"]').waitFor({ state: "attached" });
  await page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 1));
  return { sameDocument: () => page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark === 1) };
}

describe("a live thread", () => {
  it("shows another member's reply to a visitor without a reload", async () => {
    const ada = await signIn(app.server, "member@backline.local");
    const thread = await newThread(
      ada,
      "Does the importer keep custom field order?",
      "After importing a CSV, our custom fields appear in alphabetical order instead of the file's order.",
    );
    const page = await (await app.browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    const watched = await watch(page, thread.url);

    const grace = await signIn(app.server, "member2@backline.local");
    const reply = await grace.post(`/api/v1/threads/${thread.id}/posts`, {
      body: "It keeps the order since 4.1; turn on **Keep column order**.",
    });
    expect(reply.status).toBe(201);

    await page.getByText("turn on Keep column order").waitFor();
    await expect(page.getByRole("status").filter({ hasText: "1 new reply" }).count()).resolves.toBe(1);
    await expect(watched.sameDocument()).resolves.toBe(true);
  });

  it("shows the maintainer a new paid ticket in the desk queue without a reload", async () => {
    const { page, errors } = await signInPage(app, "maintainer@backline.local");
    const watched = await watch(page, "/desk");
    const grace = await signIn(app.server, "member2@backline.local");
    const thread = await newThread(
      grace,
      "Exports time out for accounts with many projects",
      "Exporting an account with 400 projects stops after 30 seconds with a 504 from the proxy.",
    );
    await paidTicket(app.server, grace, thread.id);

    // The announcement comes from the stream only (the desk's own refresh is every 30 s and says nothing).
    await page.getByRole("status").filter({ hasText: "The queue changed." }).waitFor({ state: "attached" });
    await page.getByText("Exports time out for accounts with many projects").waitFor();
    await expect(watched.sameDocument()).resolves.toBe(true);
    expect(errors).toEqual([]);
  });
});
