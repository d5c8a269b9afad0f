import { describe, expect, it } from "vitest";
import { type Client, newMember } from "../helpers/http";
import { escalateOverApi, useStripeApp } from "../helpers/stripe-app";
import { signedHeader } from "../mocks/stripe";

// POST /webhooks/stripe on the built server, with Stripe's API faked locally and
// events signed by the official SDK's generateTestHeaderString.

const app = useStripeApp();
const secret = app.secret;

/** A new member escalates the thread over the API; returns their client and the Checkout Session Stripe holds. */
async function escalate() {
  const client = await newMember(app.server, "payer");
  const { escalationId, sessionId, checkoutUrl } = await escalateOverApi(app, client);
  expect(checkoutUrl).toContain(sessionId);
  return { client, escalationId, sessionId };
}

function deliver(payload: string, signature: string | null) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (signature !== null) headers["Stripe-Signature"] = signature;
  return fetch(`${app.server.url}/webhooks/stripe`, { method: "POST", headers, body: payload });
}

const signedDelivery = (payload: string) => deliver(payload, signedHeader(payload, secret));

async function outcome(res: Response) {
  expect(res.status).toBe(200);
  return (await res.json()).outcome as string;
}

const myTickets = async (client: Client) => (await (await client.get("/api/v1/tickets")).json()) as { id: string; state: string }[];

describe("the Stripe webhook", () => {
  it("creates exactly one ticket from a verified checkout.session.completed", async () => {
    const { client, sessionId } = await escalate();
    const event = app.stripe.event("checkout.session.completed", app.stripe.completeSession(sessionId));
    expect(await outcome(await signedDelivery(JSON.stringify(event)))).toBe("applied");
    const tickets = await myTickets(client);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]!.state).toBe("awaiting_acceptance");
    const thread = await (await client.get(`/api/v1/threads/${app.threadId}`)).json();
    expect(thread.escalated).toBe(true);
  });

  it("refuses a forged signature with 400 and stores nothing", async () => {
    const { client, sessionId } = await escalate();
    const payload = JSON.stringify(app.stripe.event("checkout.session.completed", app.stripe.completeSession(sessionId)));
    const forged = await deliver(payload, signedHeader(payload, "whsec_someone_else"));
    expect(forged.status).toBe(400);
    expect((await forged.json()).error.code).toBe("invalid_signature");
    expect(await myTickets(client)).toHaveLength(0);
    // Nothing was recorded under the event id: the genuine delivery is applied, not taken for a replay.
    expect(await outcome(await signedDelivery(payload))).toBe("applied");
    expect(await myTickets(client)).toHaveLength(1);
  });

  it("refuses a missing signature, a stale timestamp and a re-serialized body with 400", async () => {
    const { client, sessionId } = await escalate();
    const event = app.stripe.event("checkout.session.completed", app.stripe.completeSession(sessionId));
    const payload = JSON.stringify(event, null, 2);
    expect((await deliver(payload, null)).status).toBe(400);
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    expect((await deliver(payload, signedHeader(payload, secret, tenMinutesAgo))).status).toBe(400);
    // Same JSON, different bytes: the signature covers the raw body, so this must fail.
    expect((await deliver(JSON.stringify(event), signedHeader(payload, secret))).status).toBe(400);
    expect(await myTickets(client)).toHaveLength(0);
    expect(await outcome(await signedDelivery(payload))).toBe("applied");
  });

  it("applies a replayed event once, however often it arrives", async () => {
    const { client, sessionId } = await escalate();
    const payload = JSON.stringify(app.stripe.event("checkout.session.completed", app.stripe.completeSession(sessionId)));
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) outcomes.push(await outcome(await signedDelivery(payload)));
    expect(outcomes).toEqual(["applied", "duplicate", "duplicate", "duplicate", "duplicate"]);
    expect(await myTickets(client)).toHaveLength(1);
  });

  it("creates one ticket from two concurrent deliveries, of the same event or of two events for one session", async () => {
    const first = await escalate();
    const payload = JSON.stringify(app.stripe.event("checkout.session.completed", app.stripe.completeSession(first.sessionId)));
    const same = await Promise.all([signedDelivery(payload), signedDelivery(payload)]);
    expect(same.map((r) => r.status)).toEqual([200, 200]);
    expect(await myTickets(first.client)).toHaveLength(1);

    const second = await escalate();
    const session = app.stripe.completeSession(second.sessionId);
    const twoEvents = [app.stripe.event("checkout.session.completed", session), app.stripe.event("checkout.session.completed", session)];
    const results = await Promise.all(twoEvents.map((e) => signedDelivery(JSON.stringify(e))));
    expect((await Promise.all(results.map(outcome))).sort()).toEqual(["applied", "duplicate"]);
    expect(await myTickets(second.client)).toHaveLength(1);
  });

  it("keeps the ticket when checkout.session.expired arrives after completed", async () => {
    const { client, sessionId } = await escalate();
    const completed = app.stripe.completeSession(sessionId);
    expect(await outcome(await signedDelivery(JSON.stringify(app.stripe.event("checkout.session.completed", completed))))).toBe("applied");
    const lateExpiry = app.stripe.event("checkout.session.expired", { ...completed, status: "expired" });
    expect(await outcome(await signedDelivery(JSON.stringify(lateExpiry)))).toBe("ignored");
    expect((await myTickets(client)).map((t) => t.state)).toEqual(["awaiting_acceptance"]);
  });

  it("closes the escalation without a ticket on checkout.session.expired or payment_intent.canceled", async () => {
    const expired = await escalate();
    const event = app.stripe.event("checkout.session.expired", app.stripe.expireSession(expired.sessionId));
    expect(await outcome(await signedDelivery(JSON.stringify(event)))).toBe("applied");
    expect(await myTickets(expired.client)).toHaveLength(0);
    const page = await (await expired.client.get(`/escalate/${app.threadId}?escalation=${expired.escalationId}`)).text();
    expect(page).toContain("That checkout expired. Nothing was charged");

    const canceled = await escalate();
    const pi = { id: "pi_abandoned_1", object: "payment_intent", status: "canceled", metadata: { escalationId: canceled.escalationId } };
    expect(await outcome(await signedDelivery(JSON.stringify(app.stripe.event("payment_intent.canceled", pi))))).toBe("applied");
    expect(await myTickets(canceled.client)).toHaveLength(0);
  });

  it("acknowledges and ignores event types it does not handle", async () => {
    const payload = JSON.stringify(app.stripe.event("customer.created", { id: "cus_1", object: "customer" }));
    expect(await outcome(await signedDelivery(payload))).toBe("ignored");
    expect(await outcome(await signedDelivery(payload))).toBe("duplicate");
    const get = await fetch(`${app.server.url}/webhooks/stripe`);
    expect(get.status).toBe(405);
  });
});
