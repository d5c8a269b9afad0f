import type { ActionFunctionArgs } from "@remix-run/node";
import { getEnv } from "~/env.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { liveOnly } from "~/models/payments/test-money.server";
import { databaseUnavailable } from "~/services/database-unavailable.server";
import { logger } from "~/services/logger.server";
import { parseStripeWebhook } from "~/services/payments/stripe.server";
import { WebhookSignatureError } from "~/services/payments/types";

// POST /webhooks/stripe. The signature is checked on the exact bytes Stripe
// sent (nothing parses the body first); a bad one stores nothing. Applied
// events, replays and unknown types all answer 200; only a failure to apply
// answers 500, so Stripe delivers the event again later.

const json = (status: number, body: unknown) => Response.json(body, { status });

export async function action({ request }: ActionFunctionArgs) {
  const env = getEnv();
  if (env.paymentsMode !== "stripe" || !env.STRIPE_WEBHOOK_SECRET) {
    return json(404, { error: { code: "not_found", message: "Stripe is not configured on this server." } });
  }
  const raw = Buffer.from(await request.arrayBuffer());
  let event;
  try {
    event = parseStripeWebhook(raw, request.headers.get("stripe-signature"));
  } catch (error) {
    if (error instanceof WebhookSignatureError) {
      logger.warn("stripe webhook refused: signature verification failed");
      return json(400, { error: { code: "invalid_signature", message: "The Stripe signature does not match this body." } });
    }
    throw error;
  }
  try {
    const outcome = await applyPaymentEvent(liveOnly(event, raw));
    return json(200, { received: true, outcome });
  } catch (error) {
    // Stripe retries a 503 like a 500; the outage is logged once, not per delivery.
    const outage = databaseUnavailable(error);
    if (outage) return json(503, { error: { code: outage.code, message: outage.message } });
    logger.error(`stripe webhook ${event.id} (${event.type}) could not be applied; Stripe will retry`, error);
    return json(500, { error: { code: "not_applied", message: "The event could not be applied yet; deliver it again." } });
  }
}

