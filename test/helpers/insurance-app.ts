import { afterAll, beforeAll, expect } from "vitest";
import { db } from "~/services/db.server";
import { deliverWebhook } from "../mocks/stripe";
import { useTestDatabase } from "./database";
import type { TestUser } from "./factories";
import { signIn, TEST_PASSWORD } from "./http";
import { startServer, type TestServer } from "./server";
import { STRIPE_TEST_ENV, useFakeStripeWorld } from "./support-world";

// The insurance HTTP tests: the built app on this test file's database (so a
// test can arrange and read rows directly), its background jobs off, paying
// through the file's Stripe fake, with a yearly plan on sale; and the purchase
// each of those tests starts with.

export function useInsuranceApp() {
  const database = useTestDatabase();
  const fake = useFakeStripeWorld();
  const app = { fake } as { fake: typeof fake; server: TestServer; planId: string };
  beforeAll(async () => {
    app.server = await startServer({
      databaseUrl: database.url,
      env: { BACKLINE_JOBS: "off", ...STRIPE_TEST_ENV, STRIPE_API_URL: fake.stripe.url },
    });
    app.planId = (
      await db.insurancePlan.create({ data: { name: "Yearly", priceCents: 50000, coverageCents: 20000, currency: "usd", active: true } })
    ).id;
  }, 120_000);
  afterAll(async () => {
    await app.server?.stop();
  });
  return app;
}

export type InsuranceApp = ReturnType<typeof useInsuranceApp>;

/** Sends a Stripe webhook event to the app, signed with the test secret. */
export const deliverEvent = (app: InsuranceApp, event: object) =>
  deliverWebhook(app.server.url, event, STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET);

/** A member buys the plan and completes Stripe's checkout page (no invoice paid yet). */
export async function buyPlan(app: InsuranceApp, member: TestUser) {
  const client = await signIn(app.server, member, TEST_PASSWORD);
  expect((await client.request("POST", "/insurance", { form: { intent: "buy", planId: app.planId } })).status).toBe(302);
  const sub = await db.insuranceSubscription.findFirstOrThrow({ where: { userId: member.id } });
  const session = [...app.fake.stripe.sessions.values()].find((s) => s.mode === "subscription" && s.metadata.insuranceId === sub.id)!;
  const completed = app.fake.stripe.completeSession(session.id);
  expect((await deliverEvent(app, app.fake.stripe.event("checkout.session.completed", completed))).status).toBe(200);
  return { client, sub, subscriptionId: completed.subscription as string };
}
