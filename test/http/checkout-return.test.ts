import { describe, expect, it } from "vitest";
import { type Client, newMember } from "../helpers/http";
import { escalateOverApi, useStripeApp } from "../helpers/stripe-app";
import { deliverWebhook } from "../mocks/stripe";

// The page Stripe Checkout sends the member back to (success_url and
// cancel_url): it tells the escalation's real state and never promises a
// ticket that is not coming (docs/decisions/035).

const app = useStripeApp();
const member = () => newMember(app.server, "returner");
const escalate = (client: Client) => escalateOverApi(app, client);

/** The return page as the member's browser gets it. */
async function returnPage(client: Client, escalationId: string, checkout: "success" | "cancelled") {
  const res = await client.get(`/escalate/${app.threadId}?escalation=${escalationId}&checkout=${checkout}`);
  return { status: res.status, location: res.headers.get("location"), html: res.status === 200 ? await res.text() : "" };
}
const refreshes = (html: string) => /http-equiv="refresh"/i.test(html);
const deliver = async (event: object) => expect((await deliverWebhook(app.server.url, event, app.secret)).status).toBe(200);

describe("the checkout return page", () => {
  it("after an expired checkout says so, offers to start again, and stops waiting for a ticket", async () => {
    const client = await member();
    const { escalationId, sessionId } = await escalate(client);
    await deliver(app.stripe.event("checkout.session.expired", app.stripe.expireSession(sessionId)));
    const page = await returnPage(client, escalationId, "success");
    expect(page.status).toBe(200);
    expect(page.html).not.toMatch(/being created/);
    expect(refreshes(page.html)).toBe(false);
    expect(page.html).toMatch(/That checkout expired\. Nothing was charged/);
    expect(page.html).toMatch(/Continue to payment/);
  });

  it("after a superseded checkout says it was replaced, not that a ticket is coming", async () => {
    const client = await member();
    const first = await escalate(client);
    // A second escalation for the same thread supersedes the first checkout (docs/decisions/029).
    await escalate(client);
    const page = await returnPage(client, first.escalationId, "success");
    expect(page.html).not.toMatch(/being created/);
    expect(refreshes(page.html)).toBe(false);
    expect(page.html).toMatch(/This checkout is closed/);
  });

  it("while the payment is not confirmed yet says it is waiting for the payment, and refreshes", async () => {
    const client = await member();
    const { escalationId } = await escalate(client);
    const page = await returnPage(client, escalationId, "success");
    expect(page.html).toMatch(/Waiting for the payment to be confirmed/);
    expect(page.html).not.toMatch(/your ticket is being created/);
    expect(refreshes(page.html)).toBe(true);
  });

  it("after the member cancelled on Stripe's page says nothing was charged and promises no ticket", async () => {
    const client = await member();
    const { escalationId } = await escalate(client);
    const page = await returnPage(client, escalationId, "cancelled");
    expect(page.html).toMatch(/Checkout cancelled\. Nothing was charged/);
    expect(page.html).not.toMatch(/being created|Waiting for the payment/);
    expect(refreshes(page.html)).toBe(false);
  });

  it("goes to the ticket once it exists", async () => {
    const client = await member();
    const { escalationId, sessionId } = await escalate(client);
    await deliver(app.stripe.event("checkout.session.completed", app.stripe.completeSession(sessionId)));
    const page = await returnPage(client, escalationId, "success");
    expect(page.status).toBe(302);
    expect(page.location).toMatch(/^\/tickets\/[a-z0-9]+$/);
  });

  it("tells another member nothing about someone else's escalation", async () => {
    const owner = await member();
    const { escalationId, sessionId } = await escalate(owner);
    await deliver(app.stripe.event("checkout.session.expired", app.stripe.expireSession(sessionId)));
    const stranger = await member();
    const page = await returnPage(stranger, escalationId, "success");
    expect(page.status).toBe(200);
    expect(page.html).not.toMatch(/expired|being created|Waiting for the payment|\/tickets\//);
  });
});
