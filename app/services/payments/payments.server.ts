import { getEnv } from "~/env.server";
import { stripeProvider } from "./stripe.server";
import { insuranceProvider } from "./insurance-provider.server";
import { testModeProvider } from "./test-mode.server";
import type { PaymentProvider, ProviderName } from "./types";

export * from "./types";

/**
 * The provider for new checkouts: Stripe when keys are configured, else the
 * local test mode (which production can never select: it refuses to start
 * without Stripe keys, see app/env.server.ts).
 */
export function paymentProvider(): PaymentProvider {
  return providerFor(getEnv().paymentsMode);
}

/** The provider an existing escalation was paid with; captures and releases go back to it. */
export function providerFor(name: string): PaymentProvider {
  const env = getEnv();
  if (name === "stripe") return stripeProvider();
  if (name === "test") {
    if (env.production) throw new Error("Test-mode payments are disabled with BACKLINE_MODE=production.");
    return testModeProvider;
  }
  if (name === "insurance") return insuranceProvider;
  throw new Error(`Unknown payment provider "${name}"`);
}

export const isProviderName = (v: string): v is ProviderName => v === "stripe" || v === "test" || v === "insurance";
