import { afterAll, beforeAll, expect } from "vitest";
import { FakeStripe, startFakeStripe } from "../mocks/stripe";
import { Client } from "./http";
import { startServer, type TestServer } from "./server";
import { gate, STRIPE_TEST_ENV } from "./support-world";

// The built, seeded forum with its payments going to the local Stripe fake, one
// per test file, and the steps the paid-lane HTTP tests all take: a new member
// signs in and escalates the seeded paid thread over the API.

export type StripeApp = { server: TestServer; stripe: FakeStripe; threadId: string; secret: string };

export function useStripeApp(): StripeApp {
  const app = { secret: STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET } as StripeApp;
  beforeAll(async () => {
    app.stripe = await startFakeStripe();
    app.server = await startServer({ seed: true, env: { ...STRIPE_TEST_ENV, STRIPE_API_URL: app.stripe.url } });
    const threads = await (await new Client(app.server.url).get("/api/v1/threads?category=pro")).json();
    app.threadId = threads.threads[0].id;
  });
  afterAll(async () => {
    await app.server?.stop();
    await app.stripe?.stop();
  });
  return app;
}

/** The member escalates the paid thread; returns the escalation and the Checkout Session the fake holds for it. */
export async function escalateOverApi(app: StripeApp, client: Client) {
  const res = await client.post(`/api/v1/threads/${app.threadId}/escalations`, gate());
  expect(res.status).toBe(201);
  const { escalationId, checkoutUrl } = (await res.json()) as { escalationId: string; checkoutUrl: string };
  const sessionId = [...app.stripe.sessions.values()].find((s) => s.client_reference_id === escalationId)!.id;
  return { escalationId, sessionId, checkoutUrl };
}
