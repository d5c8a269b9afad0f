import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";
import { resetEnvForTests } from "~/env.server";
import { startEscalation } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { completeTestInsuranceCheckout, startInsuranceCheckout } from "~/models/insurance/purchase.server";
import { createUser } from "~/models/accounts/user.server";
import { db } from "~/services/db.server";
import { simulateCheckout } from "~/services/payments/test-mode.server";
import { Client } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { gate, supportWorld } from "../helpers/support-world";
import { startArguments } from "../../app/server/start-command.mjs";
import { useTestDatabase } from "../helpers/database";

// Issue 14 §2: the demo seed's accounts sign in with a password printed on every
// start (one is an admin). Production refuses to start while any still does,
// names the command that fixes it, and starts once it has run. The command also
// ends the test-mode money the development database collected.

const database = useTestDatabase();
const root = path.resolve(__dirname, "../..");
const PRODUCTION = {
  BACKLINE_MODE: "production",
  BACKLINE_JOBS: "off",
  PUBLIC_URL: "http://forum.example.test",
  SESSION_SECRET: "s".repeat(40),
  STRIPE_SECRET_KEY: "sk_live_backline_fake",
  STRIPE_WEBHOOK_SECRET: "whsec_backline_live_secret",
  // Never called here: nothing in this file reaches Stripe.
  STRIPE_API_URL: "http://127.0.0.1:9",
};
let server: TestServer | undefined;
let planId: string;
let ticketId: string;

/** `npm run cli -- demo:purge …` against this file's database; asynchronous, as the database answers from this process. */
async function purge(...args: string[]) {
  const { stdout } = await promisify(execFile)(path.join(root, "node_modules/.bin/tsx"), ["app/cli.mts", "demo:purge", ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production" as const,
      DATABASE_URL: database.url,
      LOG_LEVEL: "warn",
    },
  });
  return stdout;
}

const demoPasswordWorks = async () => {
  const { verifyCredentials } = await import("~/models/accounts/user.server");
  return Boolean(await verifyCredentials("admin@backline.local", DEMO_PASSWORD));
};

beforeAll(async () => {
  resetEnvForTests();
  // What a development database holds: the seeded admin, a plan and a ticket bought on the test checkout.
  await createUser({ username: "root", email: "admin@backline.local", password: DEMO_PASSWORD }, "admin");
  const world = await supportWorld();
  const plan = await db.insurancePlan.create({
    data: { name: "Yearly", priceCents: 50000, coverageCents: 20000, currency: "usd", active: true },
  });
  await startInsuranceCheckout(world.other, plan.id);
  planId = (await db.insuranceSubscription.findFirstOrThrow({ where: { userId: world.other.id } })).id;
  await completeTestInsuranceCheckout(world.other.id, planId, "subscribe");
  const { escalationId } = await startEscalation(world.owner, world.thread.id, { ...gate(), payWith: "card" });
  await applyPaymentEvent(await simulateCheckout(world.owner.id, escalationId, "authorize"));
  ticketId = (await db.ticket.findUniqueOrThrow({ where: { escalationId } })).id;
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe("production and the demo accounts", () => {
  it("refuses to start while a demo account accepts the demo password, naming the command", async () => {
    const message = await startServer({ databaseUrl: database.url, env: PRODUCTION }).then(
      async (started) => (await started.stop(), "started"),
      (e: Error) => e.message,
    );
    expect(message).toMatch(/server exited with 1/);
    expect(message).toContain("demo account(s) still sign in with the published demo password (admin@backline.local)");
    expect(message).toContain("npm run cli -- demo:purge --confirm");
    expect(message).not.toContain(DEMO_PASSWORD);
  }, 60_000);

  it("refuses to start the worker process too", async () => {
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production" as const,
      ...PRODUCTION,
      BACKLINE_BUILD: "skip",
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: "1",
    };
    // The timeout only ends a worker that (wrongly) started; a refusal exits at once.
    const exit = await promisify(execFile)(process.execPath, startArguments(root, "worker"), { cwd: root, env, timeout: 30_000 }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number | null; killed: boolean; stderr: string }) => ({ code: e.killed ? "killed" : e.code, stderr: e.stderr }),
    );
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain("npm run cli -- demo:purge --confirm");
  }, 60_000);

  it("lists what demo:purge would do without --confirm, and changes nothing", async () => {
    const out = await purge();
    expect(out).toContain("would be locked");
    expect(out).toContain("admin@backline.local");
    expect(out).toMatch(/Test-mode insurance plans would be ended \(unused coverage lapses\): 1/);
    expect(out).toContain("Nothing was changed");
    expect(await demoPasswordWorks()).toBe(true);
  }, 60_000);

  it("with --confirm locks the demo accounts and ends test-mode money, recorded in the money trail", async () => {
    const out = await purge("--confirm");
    expect(out).toContain("Done.");
    expect(await demoPasswordWorks()).toBe(false);
    // The admin's account and content stay; only the known password stops working.
    expect(await db.user.count({ where: { email: "admin@backline.local" } })).toBe(1);

    expect(await db.insuranceSubscription.findUniqueOrThrow({ where: { id: planId } })).toMatchObject({ status: "canceled" });
    const left = await db.coverageEntry.aggregate({ where: { subscriptionId: planId }, _sum: { amountCents: true } });
    expect(left._sum.amountCents).toBe(0);
    expect(await db.moneyEvent.findFirst({ where: { subscriptionId: planId, kind: "coverage_lapse" } })).toMatchObject({
      amountCents: 20000,
    });

    expect(await db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).toMatchObject({ state: "expired" });
    expect(await db.payment.findFirstOrThrow({ where: { ticketId } })).toMatchObject({ status: "canceled" });
    expect(await db.moneyEvent.findFirst({ where: { ticketId, kind: "released" } })).toMatchObject({ amountCents: 4900 });
    expect(await db.testPaymentIntent.count()).toBe(0);

    // Run twice: nothing more happens.
    const trail = await db.moneyEvent.count({ where: { ticketId } });
    expect(await purge("--confirm")).toMatch(/Test-mode insurance plans ended \(unused coverage lapses\): 0/);
    expect(await db.moneyEvent.count({ where: { ticketId } })).toBe(trail);
    expect(await db.moneyEvent.count({ where: { ticketId, kind: "released" } })).toBe(1);
  }, 60_000);

  it("starts after the command, and the demo password no longer signs in", async () => {
    server = await startServer({ databaseUrl: database.url, env: PRODUCTION });
    const res = await new Client(server.url).post("/api/v1/session", { email: "admin@backline.local", password: DEMO_PASSWORD });
    expect(res.status).toBe(401);
  }, 60_000);
});
