import { z } from "zod";
import { cleanLine, hasVisibleText, NOTHING_VISIBLE } from "~/utils/text";

// Fields that several admin forms and API bodies share (tiers, insurance plans, categories, ticket messages), so a
// slug or a price is validated, and explained, the same way everywhere.

/** An HTML checkbox (`on` or absent) or a JSON boolean. */
export const checkboxField = z
  .union([z.boolean(), z.enum(["on", "true", "false", ""])])
  .optional()
  .transform((v) => v === true || v === "on" || v === "true");

export const slugField = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{1,39}$/, "2–40 lowercase letters, digits or dashes.");

export const displayNameField = z
  .string()
  .overwrite(cleanLine)
  .min(2, "At least 2 characters.")
  .max(60, "At most 60 characters.")
  .refine(hasVisibleText, NOTHING_VISIBLE);

export const currencyField = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z]{3}$/, "A three-letter ISO currency code, e.g. usd.");

/** Empty means "let the app create the Stripe Price"; otherwise it must look like one. */
export const stripePriceIdField = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : null))
  .pipe(
    z
      .string()
      .regex(/^price_[A-Za-z0-9]+$/, "A Stripe Price id looks like price_…")
      .nullable(),
  );

export const positionField = z.coerce.number().int().min(0).max(1000).default(0);

/** Stripe refuses smaller charges. */
export const STRIPE_MINIMUM = { cents: 50, message: "Stripe's smallest charge is 50 cents." };

/** An amount in cents, from a form field or JSON; `what` names it in the messages ("the price", "the coverage"). */
export const centsField = (what: string, min: { cents: number; message: string }, maxCents: number) =>
  z.coerce
    .number({ error: `Enter ${what} in cents.` })
    .int(`Enter ${what} in cents.`)
    .min(min.cents, min.message)
    .max(maxCents, `That is too high for ${what}.`);
