import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { Client } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { gate } from "../helpers/support-world";

// A maintainer's working day on the desk, in a real browser and in test mode:
// three paid tickets worked in deadline order with the keyboard, a canned
// reply, a resolution, and an answer published back with the owner's consent.

let server: TestServer;
let browser: Browser;
const PASSWORD = "demo-password-2026";
const WEBHOOK = "Webhook signature fails after upgrading to 3.2";
const ROTATE = "How do I rotate API keys without downtime?";
const ANSWER = "Verify the signature on the raw request body: mount the webhook route before any JSON body parser.";

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ seed: true }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function api(email: string) {
  const client = new Client(server.url);
  expect((await client.post("/api/v1/session", { email, password: PASSWORD })).status).toBe(200);
  return client;
}

/** Escalates over the API and authorises on the test checkout, as the member's browser would; returns the ticket id. */
async function paidTicket(client: Client, threadId: string, tier: string) {
  const res = await client.post(`/api/v1/threads/${threadId}/escalations`, gate({ tier }));
  expect(res.status).toBe(201);
  const { escalationId } = await res.json();
  const authorized = await client.request("POST", `/test-checkout/${escalationId}`, { form: { intent: "authorize" } });
  const back = await client.get(authorized.headers.get("location")!.replace(server.url, ""));
  return back.headers.get("location")!.split("/tickets/")[1]!;
}

async function signIn(email: string): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on("console", (m) => (m.type() === "error" ? errors.push(m.text()) : undefined));
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}/login`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  return { page, errors };
}

const current = (page: Page) => page.locator('.desk-row[aria-current="true"]').getAttribute("data-ticket");

describe("the maintainer desk in the browser", () => {
  it("works three tickets in deadline order by keyboard, uses a macro, resolves one and publishes back with consent", async () => {
    const threads = (await (await new Client(server.url).get("/api/v1/threads?category=pro")).json()).threads as { id: string; title: string }[];
    const webhook = threads.find((t) => t.title === WEBHOOK)!;
    const rotate = threads.find((t) => t.title === ROTATE)!;

    // Three paid tickets: a Priority one (12 h) and two Standard ones (48 h), the earlier one first.
    const ada = await api("member@backline.local");
    const grace = await api("member2@backline.local");
    const newcomer = new Client(server.url);
    expect((await newcomer.post("/api/v1/users", { username: "lin", email: "lin@example.com", password: PASSWORD })).status).toBe(201);
    expect((await newcomer.post("/api/v1/session", { email: "lin@example.com", password: PASSWORD })).status).toBe(200);
    const standardFirst = await paidTicket(grace, rotate.id, "standard");
    const standardSecond = await paidTicket(newcomer, webhook.id, "standard");
    const priority = await paidTicket(ada, webhook.id, "priority");

    // The admin keeps a canned reply with placeholders.
    const admin = await api("admin@backline.local");
    const macro = await admin.request("POST", "/admin/macros", {
      form: { intent: "create", name: "Looking into it", body: "Hi {{member.username}}, thanks for the details on {{thread.title}}. {{maintainer.username}} here: I am on it." },
    });
    expect(macro.status).toBe(200);

    // The desk lists them by time left: the Priority ticket first, then the Standard ones in payment order.
    const { page: desk, errors } = await signIn("maintainer@backline.local");
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
    await desk.getByRole("button", { name: "Accept and capture the payment" }).click();
    await desk.getByText("Paid.").waitFor();
    await desk.getByLabel("Canned reply").selectOption({ label: "Looking into it" });
    await desk.getByRole("button", { name: "Insert reply" }).click();
    const box = desk.getByRole("textbox", { name: "Reply to the member" });
    expect(await box.inputValue()).toBe(`Hi ada, thanks for the details on ${WEBHOOK}. maya here: I am on it.`);
    await desk.getByRole("button", { name: "Reply to the member" }).click();
    await desk.getByText("I am on it.").first().waitFor();
    await desk.getByRole("button", { name: "Resolve" }).click();
    await desk.getByText("resolved", { exact: true }).first().waitFor();

    // Drafting the public answer publishes nothing yet.
    await desk.getByLabel("Public answer (redacted: no private details)").fill(ANSWER);
    await desk.getByRole("button", { name: "Propose for publishing" }).click();
    await desk.getByText("Draft, waiting for the member's consent:").waitFor();
    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto(`${server.url}/t/${webhook.id}`);
    expect(await visitor.content()).not.toContain(ANSWER);

    // The owner agrees; the answer appears in the thread, and they accept it.
    const { page: owner, errors: ownerErrors } = await signIn("member@backline.local");
    await owner.goto(`${server.url}/tickets/${priority}`);
    await owner.getByText("Nothing is published unless you agree").waitFor();
    await owner.getByRole("button", { name: "Agree and publish to the thread" }).click();
    await owner.getByText("Published to the thread with the member's consent.").waitFor();
    await owner.getByRole("button", { name: "Accept it as the answer" }).click();
    await owner.getByText("(accepted as the answer).").waitFor();
    await owner.getByRole("link", { name: "Read it in the thread" }).click();
    await owner.getByRole("region", { name: "Accepted answer" }).getByText(ANSWER).waitFor();
    expect(await owner.getByText(ANSWER).count()).toBe(2);
    await owner.getByText(/Resolved via paid support/).waitFor();
    await owner.screenshot({ path: screenshotPath("desk-published-answer"), fullPage: true });

    // The queue now holds the two Standard tickets, still in deadline order.
    await desk.goto(`${server.url}/desk`);
    const after = await desk.locator(".desk-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-ticket")));
    expect(after).toEqual([standardFirst, standardSecond]);
    expect(errors).toEqual([]);
    expect(ownerErrors).toEqual([]);
  }, 180_000);
});
