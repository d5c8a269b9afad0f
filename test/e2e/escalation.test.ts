import { describe, expect, it } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";

// The paid lane in a real browser, in test mode (no Stripe keys): the way a
// fresh clone walks it.

const app = useSeededAppInBrowser();

const THREAD = "How do I rotate API keys without downtime?";
const STEPS = "1. Create a second key\n2. Deploy it to half the fleet\n3. Requests signed with the old key fail at once";

async function newPage() {
  const page = await (await app.browser.newContext()).newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

describe("paid support in the browser", () => {
  it("a member escalates and pays, the maintainer accepts and answers, the public sees only the stub", async () => {
    // The member finds the thread and asks for paid support.
    const member = (await signInPage(app, "member@backline.local")).page;
    await member.getByRole("link", { name: "Backline Pro" }).first().click();
    await member.getByRole("link", { name: THREAD }).click();
    await member.getByRole("link", { name: "Get paid support" }).click();
    await member.getByRole("heading", { name: "Get paid support" }).waitFor();

    // An incomplete gate cannot be paid for.
    await member.getByRole("button", { name: "Continue to payment" }).click();
    await member.getByText("List the steps that make the problem happen, from a fresh start.").waitFor();
    await member.getByText("Tick the box to confirm you read what paid support covers.").waitFor();
    expect(member.url()).toContain("/escalate/");
    await member.screenshot({ path: screenshotPath("escalation-gate-errors"), fullPage: true });

    await member.getByLabel(/Priority/).check();
    await member.getByLabel("Product version").fill("3.2.1");
    await member.getByLabel("Environment").fill("Ubuntu 24.04, Node 20.19, PostgreSQL 16");
    await member.getByLabel("Steps to reproduce").fill(STEPS);
    await member.getByLabel("What you already tried").fill("Restarting every worker after the deploy; same failures.");
    await member.getByLabel(/I understand the scope/).check();
    await member.getByRole("button", { name: "Continue to payment" }).click();

    // The clearly labelled test checkout authorises the card.
    await member.getByRole("heading", { name: "Test checkout" }).waitFor();
    await expect(member.getByText("TEST MODE: this is a simulated checkout").isVisible()).resolves.toBe(true);
    await member.getByRole("button", { name: "Authorize $149.00" }).click();

    // Back with a ticket that carries the thread and the answers.
    await member.getByRole("heading", { name: THREAD, level: 1 }).waitFor();
    expect(member.url()).toMatch(/\/tickets\/[a-z0-9]+$/);
    const ticketUrl = member.url();
    await expect(member.getByText("awaiting acceptance").first().isVisible()).resolves.toBe(true);
    await expect(member.getByText("Requests signed with the old key fail at once").isVisible()).resolves.toBe(true);
    await expect(member.getByRole("heading", { name: "The thread at payment time" }).isVisible()).resolves.toBe(true);

    // The maintainer finds it on the desk, accepts it and answers.
    const maintainer = (await signInPage(app, "maintainer@backline.local")).page;
    await maintainer.getByRole("link", { name: "Desk" }).click();
    await maintainer.getByRole("heading", { name: "Paid support queue" }).waitFor();
    await maintainer.getByRole("link", { name: THREAD }).first().click();
    await maintainer.getByRole("button", { name: "Accept and charge the card" }).click();
    await maintainer.getByText("Paid by card.").waitFor();
    await maintainer
      .getByLabel("Your message")
      .fill("Keep both keys valid during the rollout: revoke the old one only after the deploy finishes.");
    await maintainer.getByRole("button", { name: "Send", exact: true }).click();
    await maintainer.getByText("revoke the old one only after the deploy finishes").waitFor();
    await maintainer.screenshot({ path: screenshotPath("escalation-desk-ticket"), fullPage: true });

    // The member sees the answer.
    await member.goto(ticketUrl);
    await member.getByText("revoke the old one only after the deploy finishes").waitFor();
    await expect(member.getByText("open", { exact: true }).first().isVisible()).resolves.toBe(true);

    // The public thread shows the stub and nothing private.
    const visitor = await newPage();
    await visitor.goto(app.server.url);
    await visitor.getByRole("link", { name: "Backline Pro" }).first().click();
    await visitor.getByRole("link", { name: THREAD }).click();
    await visitor.getByText(/Escalated to paid support on/).waitFor();
    const html = await visitor.content();
    expect(html).not.toContain("Requests signed with the old key fail at once");
    expect(html).not.toContain("revoke the old one only after the deploy finishes");
    expect(html).not.toContain("Get paid support");
    await visitor.goto(ticketUrl);
    expect(visitor.url()).toContain("/login");
  }, 120_000);
});
