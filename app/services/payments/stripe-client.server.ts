import Stripe from "stripe";
import { getEnv } from "~/env.server";
import { PaymentProviderError } from "./types";

// The Stripe SDK as the rest of the adapter uses it: one client per configuration, and every
// failure turned into a PaymentProviderError that says whether trying again can help.

let cached: { key: string; client: Stripe } | undefined;

/** The SDK, pointed at STRIPE_API_URL (a local Stripe-compatible server) when set. */
export function stripeClient(): Stripe {
  const env = getEnv();
  if (!env.STRIPE_SECRET_KEY) throw new Error("STRIPE_SECRET_KEY is not set: Stripe payments are not configured.");
  const cacheKey = `${env.STRIPE_SECRET_KEY}|${env.STRIPE_API_URL ?? ""}`;
  if (cached?.key === cacheKey) return cached.client;
  const config: Stripe.StripeConfig = {
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: "Backline" },
  };
  if (env.STRIPE_API_URL) {
    const url = new URL(env.STRIPE_API_URL);
    const protocol = url.protocol === "http:" ? "http" : "https";
    config.host = url.hostname;
    config.port = url.port || (protocol === "http" ? 80 : 443);
    config.protocol = protocol;
  }
  cached = { key: cacheKey, client: new Stripe(env.STRIPE_SECRET_KEY, config) };
  return cached.client;
}

/** Stripe's errors, sorted into "try again later" and "this will not work". */
export function providerError(error: unknown): PaymentProviderError {
  if (error instanceof Stripe.errors.StripeError) {
    const status = error.statusCode ?? 0;
    const retryable =
      error instanceof Stripe.errors.StripeConnectionError ||
      error instanceof Stripe.errors.StripeAPIError ||
      error instanceof Stripe.errors.StripeRateLimitError ||
      status === 409 ||
      status >= 500;
    return new PaymentProviderError(`Stripe: ${error.message}`, error.code ?? error.type, retryable);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PaymentProviderError(`Stripe: ${message}`, undefined, true);
}

/** A Stripe request whose failure leaves as a PaymentProviderError. */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw providerError(error);
  }
}

/** The id of an expandable Stripe reference, whether it came as an id or expanded. */
export const idOf = (v: string | { id: string } | null | undefined) => (typeof v === "string" ? v : (v?.id ?? null));
