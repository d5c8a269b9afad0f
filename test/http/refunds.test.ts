import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, signIn, newMember } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { gate, STRIPE_TEST_ENV } from "../helpers/support-world";
import { until } from "../helpers/wait";
import { EMAILS } from "../hostile/authorization-matrix";
import { deliverWebhook, type FakeStripe, startFakeStripe } from "../mocks/stripe";

// Refunds, refunds made in Stripe's dashboard, disputes and receipts, end to end:
// the built app, the official Stripe SDK, and the Stripe fake behind STRIPE_API_URL.

let server: TestServer;
let stripe: FakeStripe;
let desk: Client;
let threads: { id: string }[];
const secret = STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET;

type Payment = {
  status: string;
  summary: string;
  amountCents: number;
  refundedCents: number;
  settlement?: string;
  disputeStatus?: string | null;
  refunds?: { amountCents: number; status: string; source: string; reason: string | null; by: string | null }[];
};
type Ticket = { id: string; state: string; payment: Payment };

beforeAll(async () => {
  stripe = await startFakeStripe();
  server = await startServer({ seed: true, env: { ...STRIPE_TEST_ENV, STRIPE_API_URL: stripe.url } });
  threads = (await (await new Client(server.url).get("/api/v1/threads?category=pro")).json()).threads;
  desk = await signIn(server, EMAILS.maintainer);
});
afterAll(async () => {
  await server?.stop();
  await stripe?.stop();
});

let paid = 0;
/** A member pays for a Standard ticket ($49.00); with `accept` the maintainer accepts and the hold is captured. */
async function paidTicket(accept = true) {
  paid += 1;
  const client = await newMember(server, "refund");
  const res = await client.post(`/api/v1/threads/${threads[paid % threads.length]!.id}/escalations`, gate({ tier: "standard" }));
  expect(res.status).toBe(201);
  const { escalationId } = await res.json();
  const session = [...stripe.sessions.values()].find((s) => s.client_reference_id === escalationId)!;
  expect(
    (await deliverWebhook(server.url, stripe.event("checkout.session.completed", stripe.completeSession(session.id)), secret)).status,
  ).toBe(200);
  const [summary] = (await (await client.get("/api/v1/tickets")).json()) as { id: string }[];
  const paymentIntentId = stripe.sessions.get(session.id)!.payment_intent!;
  if (accept) {
    const accepted = await desk.post(`/api/v1/tickets/${summary!.id}/accept`, {});
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as Ticket).payment.status).toBe("captured");
  }
  return { client, ticketId: summary!.id, paymentIntentId, email: client.email };
}

const refund = (client: Client, ticketId: string, body: object) => client.post(`/api/v1/tickets/${ticketId}/refund`, body);
const ticketOf = async (client: Client, ticketId: string) => (await (await client.get(`/api/v1/tickets/${ticketId}`)).json()) as Ticket;

describe("refunding a captured ticket", () => {
  it("refunds part, then everything that is left; more than is left is a 400 that names it", async () => {
    const { client, ticketId, paymentIntentId } = await paidTicket();

    const partial = await refund(desk, ticketId, { amountCents: 1000, reason: "The fix took longer than promised." });
    expect(partial.status).toBe(200);
    const afterPartial = (await partial.json()) as Ticket;
    expect(afterPartial.payment).toMatchObject({ status: "partially_refunded", refundedCents: 1000, settlement: "captured" });
    expect(afterPartial.payment.refunds).toEqual([
      expect.objectContaining({
        amountCents: 1000,
        status: "succeeded",
        source: "backline",
        reason: "The fix took longer than promised.",
        by: expect.any(String),
      }),
    ]);
    const [call] = stripe.calls("POST", /^\/v1\/refunds$/);
    expect(call!.body).toMatchObject({ payment_intent: paymentIntentId, amount: "1000", metadata: { ticketId } });

    const tooMuch = await refund(desk, ticketId, { amountCents: 4000, reason: "Refund the rest please." });
    expect(tooMuch.status).toBe(400);
    expect((await tooMuch.json()).error.message).toBe("Only $39.00 is left to refund on this payment.");

    const rest = await refund(desk, ticketId, { reason: "Closing the account, refund the rest." });
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as Ticket).payment).toMatchObject({ status: "refunded", refundedCents: 4900 });
    expect(stripe.charges.get(stripe.intents.get(paymentIntentId)!.latest_charge!)).toMatchObject({
      amount_refunded: 4900,
      refunded: true,
    });

    const again = await refund(desk, ticketId, { reason: "One more time, to be sure." });
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toMatch(/already fully refunded/);

    // The member sees their own payment, never the desk's refund list or the settlement status.
    const mine = await ticketOf(client, ticketId);
    expect(mine.payment).toEqual({
      status: "refunded",
      summary: "Paid, then refunded in full ($49.00).",
      funding: "card",
      amountCents: 4900,
      currency: "usd",
      refundedCents: 4900,
    });
    // Their ticket list says what was paid and what came back.
    const [listed] = (await (await client.get("/api/v1/tickets")).json()) as { payment: object }[];
    expect(listed!.payment).toEqual({
      status: "refunded",
      amountCents: 4900,
      currency: "usd",
      refundedCents: 4900,
      funding: "card",
      line: "$49.00 paid, $49.00 refunded",
    });
    expect((await (await client.get("/tickets")).text()).replaceAll("<!-- -->", "")).toContain("$49.00 paid, $49.00 refunded");
  });

  it("the owner may not refund (403), a stranger is told the ticket does not exist (404), bad input is a 400", async () => {
    const { client, ticketId } = await paidTicket();
    expect((await refund(client, ticketId, { reason: "I want my money back." })).status).toBe(403);
    const stranger = await signIn(server, EMAILS.other);
    expect((await refund(stranger, ticketId, { reason: "I want their money back." })).status).toBe(404);
    for (const body of [
      { amountCents: -1, reason: "negative amount here" },
      { amountCents: 10.5, reason: "half a cent here" },
      { amountCents: 100 },
      { reason: "" },
      { amount: "1.234", reason: "three decimals here" },
      { amount: "0", reason: "nothing at all here" },
      { amount: "-5", reason: "negative amount here" },
      { amount: "5", amountCents: 500, reason: "the amount twice here" },
    ]) {
      expect((await refund(desk, ticketId, body)).status).toBe(400);
    }
    expect(stripe.calls("POST", /^\/v1\/refunds$/).filter((c) => c.body.metadata?.ticketId === ticketId)).toHaveLength(0);
  });

  it("a hold that was never captured cannot be refunded (409)", async () => {
    const { ticketId } = await paidTicket(false);
    const res = await refund(desk, ticketId, { reason: "Refund before accepting." });
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toMatch(/Only a captured payment can be refunded; this one is authorized/);
  });

  it("two maintainers refunding at once never give back more than was captured", async () => {
    const { ticketId, paymentIntentId } = await paidTicket();
    const results = await Promise.all([
      refund(desk, ticketId, { amountCents: 3000, reason: "Refund from the first tab." }),
      refund(desk, ticketId, { amountCents: 3000, reason: "Refund from the second tab." }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    const sent = stripe.calls("POST", /^\/v1\/refunds$/).filter((c) => c.body.payment_intent === paymentIntentId);
    expect(sent.map((c) => c.body.amount)).toEqual(["3000"]);
    expect((await ticketOf(desk, ticketId)).payment.refundedCents).toBe(3000);
  });
});

describe("the refund form on the ticket page", () => {
  it("refunds what is left from the form, and shows the refund in the desk's list; a bad amount is explained", async () => {
    const { ticketId } = await paidTicket();
    const page = (await (await desk.get(`/tickets/${ticketId}`)).text()).replaceAll("<!-- -->", "");
    expect(page).toContain("Amount (USD)");
    expect(page).toContain("For example 12.50. Leave empty to refund all that is left: $49.00.");
    const bad = await desk.request("POST", `/tickets/${ticketId}`, {
      form: { intent: "refund", amount: "12.505", reason: "Typed a price with three decimals.", confirm: "on" },
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Give the amount like 12.50, with at most two decimals.");
    const tooMuch = await desk.request("POST", `/tickets/${ticketId}`, {
      form: { intent: "refund", amount: "50", reason: "More than was paid.", confirm: "on" },
    });
    expect(tooMuch.status).toBe(400);
    expect((await tooMuch.text()).replaceAll("<!-- -->", "")).toContain("At most $49.00.");
    // As a person types it, a comma for the decimal point too.
    const part = await desk.request("POST", `/tickets/${ticketId}`, {
      form: { intent: "refund", amount: "12,50", reason: "Part of it back for the delay.", confirm: "on" },
    });
    expect(part.status).toBeLessThan(400);
    expect((await ticketOf(desk, ticketId)).payment).toMatchObject({ status: "partially_refunded", refundedCents: 1250 });
    const rest = (await (await desk.get(`/tickets/${ticketId}`)).text()).replaceAll("<!-- -->", "");
    expect(rest).toContain("Leave empty to refund all that is left: $36.50.");
    const ok = await desk.request("POST", `/tickets/${ticketId}`, {
      form: { intent: "refund", amount: "", reason: "Refund from the ticket page.", confirm: "on" },
    });
    expect(ok.status).toBeLessThan(400);
    const after = (await (await desk.get(`/tickets/${ticketId}`)).text()).replaceAll("<!-- -->", "");
    expect(after).toContain("Refund from the ticket page.");
    expect(after).not.toContain("Leave empty to refund all that is left");
    expect((await ticketOf(desk, ticketId)).payment).toMatchObject({ status: "refunded", refundedCents: 4900 });
  });
});

describe("refunds and disputes at Stripe", () => {
  it("a refund made in the dashboard shows as a provider refund, once, and our own is not counted twice", async () => {
    const { ticketId, paymentIntentId } = await paidTicket();
    expect((await refund(desk, ticketId, { amountCents: 500, reason: "Goodwill for the wait." })).status).toBe(200);
    const event = stripe.refundInDashboard(paymentIntentId, 900);
    expect((await deliverWebhook(server.url, event, secret)).status).toBe(200);
    // A second event about the same refunds (Stripe also sends refund.updated) changes nothing.
    expect((await deliverWebhook(server.url, stripe.chargeRefundedEvent(paymentIntentId), secret)).status).toBe(200);

    const ticket = await ticketOf(desk, ticketId);
    expect(ticket.payment).toMatchObject({ status: "partially_refunded", refundedCents: 1400 });
    expect(ticket.payment.refunds!.map((r) => [r.amountCents, r.source, r.status])).toEqual([
      [500, "backline", "succeeded"],
      [900, "provider", "succeeded"],
    ]);
  });

  it("a dispute shows on the payment and tells the desk; a won dispute clears it", async () => {
    const { client, ticketId, paymentIntentId } = await paidTicket();
    const opened = stripe.openDispute(paymentIntentId);
    expect((await deliverWebhook(server.url, opened, secret)).status).toBe(200);
    expect((await ticketOf(desk, ticketId)).payment).toMatchObject({
      status: "disputed",
      disputeStatus: "needs_response",
      settlement: "captured",
    });
    expect((await ticketOf(client, ticketId)).payment.status).toBe("disputed");
    const inbox = JSON.stringify(await (await desk.get("/api/v1/notifications")).json());
    expect(inbox).toContain("disputed $49.00");

    const closed = stripe.closeDispute((opened.data.object as { id: string }).id, "won");
    expect((await deliverWebhook(server.url, closed, secret)).status).toBe(200);
    // A late replay of "created" does not reopen it.
    expect((await deliverWebhook(server.url, { ...opened, id: `${opened.id}_again` }, secret)).status).toBe(200);
    expect((await ticketOf(desk, ticketId)).payment).toMatchObject({ status: "captured", disputeStatus: "won" });
  });
});

describe("receipts", () => {
  const mailsTo = (email: string) => {
    const dir = path.join(server.dataDir, "mailbox");
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      return [];
    }
    return files.map((f) => readFileSync(path.join(dir, f), "utf8").replace(/=\r?\n/g, "")).filter((m) => m.includes(`To: ${email}`));
  };
  const receipts = (email: string) => mailsTo(email).filter((m) => /You paid|was refunded\./.test(m));

  it("the member gets one receipt for the capture and one for each refund, with amount, tier and ticket link", async () => {
    const { ticketId, email } = await paidTicket();
    const capture = await until("the capture receipt", async () => (receipts(email).length === 1 ? receipts(email)[0] : undefined));
    expect(capture).toContain("You paid $49.00 for Standard support");
    expect(capture).toContain(`/tickets/${ticketId}`);

    expect((await refund(desk, ticketId, { amountCents: 1200, reason: "Partly refunded for the delay." })).status).toBe(200);
    const all = await until("the refund receipt", async () => (receipts(email).length === 2 ? receipts(email) : undefined));
    const refundMail = all.find((m) => m.includes("was refunded."))!;
    expect(refundMail).toContain("$12.00 of your $49.00 payment for Standard support was refunded.");
    // Only the member's own payment: not the maintainer's reason or anyone's card.
    expect(refundMail).not.toContain("Partly refunded for the delay");
    expect(refundMail).not.toContain("pi_");
  });
});

describe("net revenue on the desk numbers", () => {
  const totals = async () => {
    const csv = await (await desk.get("/desk/numbers.csv")).text();
    const sum = (metric: string) =>
      csv
        .split("\r\n")
        .filter((l) => l.startsWith(`${metric},`) && l.includes(",usd,"))
        .reduce((n, l) => n + Number(l.split(",").at(-1)), 0);
    return { captured: sum("captured_revenue_cents"), gross: sum("captured_gross_cents"), refunded: sum("refunded_cents") };
  };

  it("captured = Σ accepted tickets − refunds, on the page and in the CSV", async () => {
    const before = await totals();
    const { ticketId, paymentIntentId } = await paidTicket();
    expect((await refund(desk, ticketId, { amountCents: 700, reason: "A partial refund for the numbers." })).status).toBe(200);
    await deliverWebhook(server.url, stripe.refundInDashboard(paymentIntentId, 300), secret);
    const after = await totals();
    expect(after.gross - before.gross).toBe(4900);
    expect(after.refunded - before.refunded).toBe(1000);
    expect(after.captured - before.captured).toBe(3900);
    expect(after.captured).toBe(after.gross - after.refunded);
    const page = (await (await desk.get("/desk/numbers")).text()).replaceAll("<!-- -->", "");
    expect(page).toContain("Captured = Σ accepted tickets − refunds");
  });
});
