import { z } from "zod";
import { hasVisibleText, NOTHING_VISIBLE, showsAtLeast } from "~/utils/text";
import { GATE_LIMITS } from "./gate-limits";

// The gate's schema (docs/product.md §4.2); its limits live apart so the browser never loads zod.
export { GATE_LIMITS, SCOPE_STATEMENT } from "./gate-limits";

// Each message asks for what is missing, as a person would ("Give the exact version, e.g. 3.2.1").
const answer = (field: keyof typeof GATE_LIMITS, ask: string) => {
  const { min, max } = GATE_LIMITS[field];
  const tooShort = min > 2 ? `${ask} A few more words, please: at least ${min} characters.` : ask;
  return z
    .string({ error: ask })
    .trim()
    .min(1, ask)
    .min(min, tooShort)
    .max(max, `Keep it under ${max.toLocaleString("en")} characters; link to a longer log instead.`)
    .refine(hasVisibleText, NOTHING_VISIBLE)
    .refine(showsAtLeast(min), tooShort);
};

export const gateSchema = z
  .object({
    tier: z.string({ error: "Choose a support tier." }).trim().min(1, "Choose a support tier."),
    productVersion: answer("productVersion", "Give the exact version, e.g. 3.2.1."),
    environment: answer("environment", "Say where it runs: operating system, runtime, database, browser."),
    stepsToReproduce: answer("stepsToReproduce", "List the steps that make the problem happen, from a fresh start."),
    alreadyTried: answer("alreadyTried", "Tell the maintainer what you already tried, so they do not suggest it again."),
    // JSON sends true; an HTML checkbox sends "on".
    acceptScope: z
      .union([z.boolean(), z.enum(["on", "true", "false"])], { error: "Tick the box to confirm you read what paid support covers." })
      .transform((v) => v === true || v === "on" || v === "true")
      .refine((v) => v, "Tick the box to confirm you read what paid support covers."),
  })
  .meta({ id: "EscalationGate" });

export type GateAnswers = z.output<typeof gateSchema>;
