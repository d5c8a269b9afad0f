import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";
import { Client, signIn } from "../helpers/http";
import { gate } from "../helpers/support-world";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";

// A maintainer's working day on the desk, in a real browser and in test mode:
// three paid tickets worked in deadline order with the keyboard, a canned
// reply, a resolution, and an answer published back with the owner's consent.

const app = useSeededAppInBrowser();
const WEBHOOK = "Webhook signature fails after upgrading to 3.2";
const ROTATE = "How do I rotate API keys without downtime?";
const ANSWER = "Verify the signature on the raw request body: mount the webhook route before any JSON body parser.";

/** Escalates over the API and authorises on the test checkout, as the member's browser would; returns the ticket id. */
async function paidTicket(client: Client, threadId: string, tier: string) {
  const res = await client.post(`/api/v1/threads/${threadId}/escalations`, gate({ tier }));
  expect(res.status).toBe(201);
  const { escalationId } = await res.json();
  const authorized = await client.request("POST", `/test-checkout/${escalationId}`, { form: { intent: "authorize" } });
  const back = await client.get(authorized.headers.get("location")!.replace(app.server.url, ""));
  return back.headers.get("location")!.split("/tickets/")[1]!;
}

const current = (page: Page) => page.locator('.desk-row[aria-current="true"]').getAttribute("data-ticket");

describe("the maintainer desk in the browser", () => {
  it("works three tickets in deadline order by keyboard, uses a macro, resolves one and publishes back with consent", async () => {
    const threads = (await (await new Client(app.server.url).get("/api/v1/threads?category=pro")).json()).threads as {
      id: string;
      title: string;
    }[];
    const webhook = threads.find((t) => t.title === WEBHOOK)!;
    const rotate = threads.find((t) => t.title === ROTATE)!;

    // Three paid tickets: a Priority one (12 h) and two Standard ones (48 h), the earlier one first.
    const ada = await signIn(app.server, "member@backline.local");
    const grace = await signIn(app.server, "member2@backline.local");
    const newcomer = new Client(app.server.url);
    expect((await newcomer.post("/api/v1/users", { username: "lin", email: "lin@example.com", password: DEMO_PASSWORD })).status).toBe(201);
    expect((await newcomer.post("/api/v1/session", { email: "lin@example.com", password: DEMO_PASSWORD })).status).toBe(200);
    const standardFirst = await paidTicket(grace, rotate.id, "standard");
    const standardSecond = await paidTicket(newcomer, webhook.id, "standard");
    const priority = await paidTicket(ada, webhook.id, "priority");

    // The admin keeps a canned reply with placeholders.
    const admin = await signIn(app.server, "admin@backline.local");
    const macro = await admin.request("POST", "/admin/macros", {
      form: {
        intent: "create",
        name: "Looking into it",
        body: "Hi {{member.username}}, thanks for the details on {{thread.title}}. {{maintainer.username}} here: I am on it.",
      },
    });
    expect(macro.status).toBe(200);

    // The desk lists them by time left: the Priority ticket first, then the Standard ones in payment order.
    const { page: desk, errors } = await signInPage(app, "maintainer@backline.local");
    await desk.getByRole("link", { name: "Desk" }).click();
    await desk.getByRole("heading", { name: "Paid support queue" }).waitFor();
    await desk.getByText("Keyboard:").waitFor();
    const order = await desk.locator(".desk-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-ticket")));
    expect(order).toEqual([priority, standardFirst, standardSecond]);
    await expect(desk.getByText("3", { exact: true }).first().isVisible()).resolves.toBe(true);

    // j and k move the current row (and keyboard focus); o opens it.
    await desk.locator("body").click({ position: { x: 1, y: 1 } });
    expect(await current(desk)).toBe(priority);
    await desk.keyboard.press("j");
    expect(await current(desk)).toBe(standardFirst);
    await desk.keyboard.press("j");
    expect(await current(desk)).toBe(standardSecond);
    await desk.keyboard.press("j");
    expect(await current(desk)).toBe(standardSecond);
    expect(await desk.evaluate(() => document.activeElement?.closest(".desk-row")?.getAttribute("data-ticket"))).toBe(standardSecond);
    await desk.keyboard.press("k");
    await desk.keyboard.press("k");
    expect(await current(desk)).toBe(priority);
    await desk.screenshot({ path: screenshotPath("desk-queue"), fullPage: true });
    await desk.keyboard.press("o");
    await desk.waitForURL(`**/tickets/${priority}`);
    await desk.getByRole("heading", { name: WEBHOOK, level: 1 }).waitFor();

    // Accept, answer with the macro, resolve.
    await desk.getByRole("button", { name: "Accept and charge the card" }).click();
    await desk.getByText("Paid by card.").waitFor();
    await desk.getByLabel("Canned reply").selectOption({ label: "Looking into it" });
    await desk.getByRole("button", { name: "Insert reply" }).click();
    const box = desk.getByRole("textbox", { name: "Your message" });
    expect(await box.inputValue()).toBe(`Hi ada, thanks for the details on ${WEBHOOK}. maya here: I am on it.`);
    await desk.getByRole("button", { name: "Send", exact: true }).click();
    await desk.getByText("I am on it.").first().waitFor();
    await desk.getByRole("button", { name: "Resolve", exact: true }).click();
    await desk.getByText("resolved", { exact: true }).first().waitFor();

    // Drafting the public answer publishes nothing yet.
    await desk.getByLabel("Public answer (redacted: no private details)").fill(ANSWER);
    await desk.getByRole("button", { name: "Propose for publishing" }).click();
    await desk.getByText("Draft, waiting for the member's consent:").waitFor();
    const visitor = await (await app.browser.newContext()).newPage();
    await visitor.goto(`${app.server.url}/t/${webhook.id}`);
    expect(await visitor.content()).not.toContain(ANSWER);

    // The owner agrees; the answer appears in the thread, and they accept it.
    const { page: owner, errors: ownerErrors } = await signInPage(app, "member@backline.local");
    await owner.goto(`${app.server.url}/tickets/${priority}`);
    await owner.getByText("Nothing is published unless you agree").waitFor();
    await owner.getByRole("button", { name: "Agree and publish to the thread" }).click();
    await owner.getByText("Published to the thread with the member's consent.").waitFor();
    await owner.getByRole("button", { name: "Accept it as the answer" }).click();
    await owner.getByText("(accepted as the answer).").waitFor();
    await owner.getByRole("link", { name: "Read it in the thread" }).click();
    await owner.getByRole("article").filter({ hasText: "✓ Accepted answer" }).getByText(ANSWER).waitFor();
    // Once, in place: the pointer under the question links to it instead of repeating it.
    expect(await owner.getByText(ANSWER).count()).toBe(1);
    await owner.getByText(/Resolved via paid support/).waitFor();
    await owner.screenshot({ path: screenshotPath("desk-published-answer"), fullPage: true });

    // The queue now holds the two Standard tickets, still in deadline order.
    await desk.goto(`${app.server.url}/desk`);
    const after = await desk.locator(".desk-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-ticket")));
    expect(after).toEqual([standardFirst, standardSecond]);
    expect(errors).toEqual([]);
    expect(ownerErrors).toEqual([]);
  }, 180_000);
});
