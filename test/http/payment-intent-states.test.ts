import { beforeAll, describe, expect, it } from "vitest";
import { type Client, newMember, signIn } from "../helpers/http";
import { escalateOverApi, useStripeApp } from "../helpers/stripe-app";
import { deliverWebhook } from "../mocks/stripe";

// Webhooks for checkouts whose PaymentIntent is already captured or still
// processing, end to end on the built server (docs/decisions/035). Before, both
// answered 500 until Stripe gave up, and a captured payment was never recorded.

const app = useStripeApp();
let maintainer: Client;
beforeAll(async () => {
  maintainer = await signIn(app.server, "maintainer@backline.local");
});

async function escalate() {
  const client = await newMember(app.server, "pistate");
  const { sessionId } = await escalateOverApi(app, client);
  return { client, sessionId };
}

async function deliver(event: object) {
  const res = await deliverWebhook(app.server.url, event, app.secret);
  expect(res.status).toBe(200);
  return (await res.json()).outcome as string;
}
const myTickets = async (client: Client) => (await (await client.get("/api/v1/tickets")).json()) as { id: string }[];

describe("a checkout whose PaymentIntent was captured outside Backline", () => {
  it("is recorded as a paid ticket; accepting charges nothing more and rejecting asks for a refund", async () => {
    const { client, sessionId } = await escalate();
    const session = app.stripe.completeSession(sessionId, { intentStatus: "succeeded" });
    expect(await deliver(app.stripe.event("checkout.session.completed", session))).toBe("applied");
    const [ticket] = await myTickets(client);
    const mine = await (await client.get(`/api/v1/tickets/${ticket!.id}`)).json();
    expect(mine.payment.status).toBe("captured");

    const reject = await maintainer.post(`/api/v1/tickets/${ticket!.id}/reject`, {
      reason: "out_of_scope",
      message: "This is outside what we support here.",
    });
    expect(reject.status).toBe(409);
    expect((await reject.json()).error.message).toMatch(/Refund the payment first/);

    const accept = await maintainer.post(`/api/v1/tickets/${ticket!.id}/accept`, {});
    expect(accept.status).toBe(200);
    expect((await accept.json()).payment.status).toBe("captured");
    expect(app.stripe.calls("POST", new RegExp(`/v1/payment_intents/${session.payment_intent}/(capture|cancel)$`))).toHaveLength(0);
  });
});

describe("a checkout whose PaymentIntent is still processing", () => {
  it("answers 200 pending, then payment_intent.amount_capturable_updated creates the ticket once", async () => {
    const { client, sessionId } = await escalate();
    const session = app.stripe.completeSession(sessionId, { intentStatus: "processing" });
    const completed = app.stripe.event("checkout.session.completed", session);
    expect(await deliver(completed)).toBe("pending");
    expect(await myTickets(client)).toHaveLength(0);

    const intent = app.stripe.moveIntent(session.payment_intent!, "requires_capture");
    expect(await deliver(app.stripe.event("payment_intent.amount_capturable_updated", intent))).toBe("applied");
    expect(await myTickets(client)).toHaveLength(1);
    // Stripe's own retry of the first event, and the succeeded event after a capture, add nothing.
    expect(await deliver(completed)).toBe("duplicate");
    expect(await deliver(app.stripe.event("payment_intent.amount_capturable_updated", intent))).toBe("duplicate");
    expect(await myTickets(client)).toHaveLength(1);
  });
});

describe("an accept after the card hold expired at Stripe", () => {
  it("answers 409 saying the hold expired, and the ticket closes unpaid instead of staying open", async () => {
    const { client, sessionId } = await escalate();
    const session = app.stripe.completeSession(sessionId);
    expect(await deliver(app.stripe.event("checkout.session.completed", session))).toBe("applied");
    const [ticket] = await myTickets(client);
    app.stripe.lapseHold(session.payment_intent!);

    const accept = await maintainer.post(`/api/v1/tickets/${ticket!.id}/accept`, {});
    expect(accept.status).toBe(409);
    expect((await accept.json()).error.message).toMatch(/card hold had expired.*closed without a charge/);
    const after = await (await client.get(`/api/v1/tickets/${ticket!.id}`)).json();
    expect(after).toMatchObject({ state: "expired", payment: { status: "canceled" } });
    const notices = await (await client.get("/api/v1/notifications")).json();
    expect(JSON.stringify(notices)).toMatch(/card hold .* ended before the payment could be taken/);
  });
});

describe("a hold the payment provider released before anyone could capture it", () => {
  it("closes a ticket waiting on a question asked before acceptance, so it can never be accepted unpaid", async () => {
    const { client, sessionId } = await escalate();
    const session = app.stripe.completeSession(sessionId);
    expect(await deliver(app.stripe.event("checkout.session.completed", session))).toBe("applied");
    const [ticket] = await myTickets(client);
    const ask = await maintainer.post(`/api/v1/tickets/${ticket!.id}/request-info`, { message: "Which version of the plugin do you run?" });
    expect(ask.status).toBe(200);
    expect((await ask.json()).state).toBe("waiting_on_customer");

    const intent = app.stripe.intents.get(session.payment_intent as string)!;
    expect(await deliver(app.stripe.event("payment_intent.canceled", { ...intent, status: "canceled" }))).toBe("applied");
    const closed = await (await client.get(`/api/v1/tickets/${ticket!.id}`)).json();
    expect(closed.state).toBe("expired");
    expect(closed.payment.summary).toMatch(/not charged/);

    const accept = await maintainer.post(`/api/v1/tickets/${ticket!.id}/accept`, {});
    expect(accept.status).toBe(409);
    const desk = await (await maintainer.get(`/api/v1/tickets/${ticket!.id}`)).json();
    expect(desk.moneyTrail.map((e: { kind: string }) => e.kind)).toContain("released");
  });
});
