import type { ActionFunctionArgs } from "@remix-run/node";
import { getEnv } from "~/env.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { liveOnly } from "~/models/payments/test-money.server";
import { databaseUnavailable } from "~/services/database-unavailable.server";
import { logger } from "~/services/logger.server";
import { parseStripeWebhook } from "~/services/payments/stripe.server";
import { WebhookSignatureError } from "~/services/payments/types";
import { apiFailure } from "~/utils/app-error-response.server";
import { AppError, notFound } from "~/utils/errors";

// POST /webhooks/stripe. The signature is checked on the exact bytes Stripe
// sent (nothing parses the body first); a bad one stores nothing. Applied
// events, replays and unknown types all answer 200; only a failure to apply
// answers 500, so Stripe delivers the event again later.

export async function action({ request }: ActionFunctionArgs) {
  const env = getEnv();
  if (env.paymentsMode !== "stripe" || !env.STRIPE_WEBHOOK_SECRET) {
    return apiFailure(notFound("Stripe is not configured on this server."));
  }
  const raw = Buffer.from(await request.arrayBuffer());
  let event;
  try {
    event = parseStripeWebhook(raw, request.headers.get("stripe-signature"));
  } catch (error) {
    if (error instanceof WebhookSignatureError) {
      logger.warn("stripe webhook refused: signature verification failed");
      return apiFailure(new AppError(400, "invalid_signature", "The Stripe signature does not match this body."));
    }
    throw error;
  }
  try {
    const outcome = await applyPaymentEvent(liveOnly(event, raw));
    return Response.json({ received: true, outcome });
  } catch (error) {
    // Stripe retries a 503 like a 500; the outage is logged once, not per delivery.
    const outage = databaseUnavailable(error);
    if (outage) return apiFailure(outage);
    logger.error(`stripe webhook ${event.id} (${event.type}) could not be applied; Stripe will retry`, error);
    return apiFailure(new AppError(500, "not_applied", "The event could not be applied yet; deliver it again."));
  }
}
