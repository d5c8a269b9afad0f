import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";
import { Client, signIn } from "../helpers/http";
import { gate } from "../helpers/support-world";

// The maintainer's ticket page as a help desk (issue 18), in a real browser at
// 1280 px and on a 390 px phone: one composer that switches to an internal
// note, send-and-set-state, and nothing wider than the screen.

const app = useSeededAppInBrowser();

async function paidTicket(client: Client, threadId: string) {
  const res = await client.post(`/api/v1/threads/${threadId}/escalations`, gate());
  expect(res.status).toBe(201);
  const { escalationId } = await res.json();
  const authorized = await client.request("POST", `/test-checkout/${escalationId}`, { form: { intent: "authorize" } });
  const back = await client.get(authorized.headers.get("location")!.replace(app.server.url, ""));
  return back.headers.get("location")!.split("/tickets/")[1]!;
}

/** How far the ticket's layout reaches past the viewport's right edge (0 when it fits). */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const desk = document.querySelector(".ticket-desk")!;
    const widest = Math.max(...[desk, ...desk.querySelectorAll("*")].map((e) => e.getBoundingClientRect().right));
    return Math.max(0, Math.ceil(widest - window.innerWidth), desk.scrollWidth - desk.clientWidth);
  });

describe("the maintainer ticket page", () => {
  it("works as a help desk at 1280 and 390 px: internal note, send and set state, no horizontal overflow", async () => {
    const threads = (await (await new Client(app.server.url).get("/api/v1/threads?category=pro")).json()).threads as { id: string }[];
    const member = await signIn(app.server, "member2@backline.local");
    const id = await paidTicket(member, threads[0]!.id);

    const { page, errors } = await signInPage(app, "maintainer@backline.local");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${app.server.url}/tickets/${id}`);
    // The request and the conversation come first; the details stand beside them.
    await page.getByRole("heading", { name: "The request" }).waitFor();
    const main = await page.locator(".ticket-main").boundingBox();
    const side = await page.getByRole("complementary", { name: "Ticket details" }).boundingBox();
    expect(side!.x).toBeGreaterThan(main!.x + main!.width - 1);
    await expect(page.getByText("Card authorised (not charged yet): accepting the ticket charges it.").isVisible()).resolves.toBe(true);
    expect(await page.content()).not.toContain("charged only if");
    expect(await overflow(page)).toBe(0);

    // One primary decision; reject is behind a second step.
    await page.getByRole("button", { name: "Accept and charge the card" }).click();
    await page.getByText("Paid by card.").waitFor();

    // Switch the composer to an internal note: it is saved as one, marked for maintainers only.
    await page.getByLabel("Internal note (maintainers only)").check();
    await page.getByRole("textbox", { name: "Your message" }).fill("Checked the logs: their proxy strips the signature header.");
    await page.getByRole("button", { name: "Add note", exact: true }).click();
    await page
      .getByRole("article", { name: /Internal note by maya/ })
      .getByText("their proxy strips")
      .waitFor();
    await page.screenshot({ path: screenshotPath("ticket-desk-1280"), fullPage: true });

    // On a phone: the side panel stacks under the conversation and nothing is wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    const phoneMain = await page.locator(".ticket-main").boundingBox();
    const phoneSide = await page.getByRole("complementary", { name: "Ticket details" }).boundingBox();
    expect(phoneSide!.y).toBeGreaterThanOrEqual(phoneMain!.y + phoneMain!.height - 1);
    expect(await overflow(page)).toBe(0);

    // Send and set state: the reply goes to the member and the ticket waits on them.
    await page.getByLabel("Reply to the member").check();
    await page.getByRole("textbox", { name: "Your message" }).fill("Which proxy do you run in front of Backline, and which version?");
    await page.getByRole("button", { name: "Send and ask for info" }).click();
    await page.getByText("waiting on the customer", { exact: true }).first().waitFor();
    await page
      .getByRole("article", { name: /^Message by maya/ })
      .getByText("Which proxy do you run")
      .waitFor();
    expect(await overflow(page)).toBe(0);
    await page.screenshot({ path: screenshotPath("ticket-desk-390"), fullPage: true });

    // The member sees the question, never the note.
    const mine = await (await member.get(`/api/v1/tickets/${id}`)).json();
    expect(JSON.stringify(mine)).toContain("Which proxy do you run");
    expect(JSON.stringify(mine)).not.toContain("their proxy strips");
    expect(errors).toEqual([]);
  }, 120_000);
});
