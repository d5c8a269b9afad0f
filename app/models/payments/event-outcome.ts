// "pending": recorded, but the payment is still processing; a later event or the checkout sweep finishes it.
export type EventOutcome = "applied" | "duplicate" | "ignored" | "pending";

/** Thrown when an event cannot be applied yet; the webhook answers 500 so Stripe delivers it again. */
export class FulfilmentRetryError extends Error {
  name = "FulfilmentRetryError";
}
