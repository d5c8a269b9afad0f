import { z } from "zod";
import { hasVisibleText, NOTHING_VISIBLE, showsAtLeast } from "~/utils/text";
import { GATE_LIMITS } from "./gate-limits";

// The gate's schema (docs/product.md §4.2); its limits live apart so the browser never loads zod.
export { GATE_LIMITS, SCOPE_STATEMENT } from "./gate-limits";

const answer = (field: keyof typeof GATE_LIMITS, what: string) =>
  z
    .string({ error: `Describe ${what}.` })
    .trim()
    .min(GATE_LIMITS[field].min, `Describe ${what} in at least ${GATE_LIMITS[field].min} characters.`)
    .max(GATE_LIMITS[field].max, `At most ${GATE_LIMITS[field].max.toLocaleString("en")} characters.`)
    .refine(hasVisibleText, NOTHING_VISIBLE)
    .refine(showsAtLeast(GATE_LIMITS[field].min), `Describe ${what} in at least ${GATE_LIMITS[field].min} characters.`);

export const gateSchema = z
  .object({
    tier: z.string({ error: "Choose one of the support tiers." }).trim().min(1, "Choose one of the support tiers."),
    productVersion: answer("productVersion", "the exact product version (e.g. 3.2.1)"),
    environment: answer("environment", "your environment: operating system, runtime, database, browser"),
    stepsToReproduce: answer("stepsToReproduce", "the steps that reproduce the problem"),
    alreadyTried: answer("alreadyTried", "what you already tried"),
    // JSON sends true; an HTML checkbox sends "on".
    acceptScope: z
      .union([z.boolean(), z.enum(["on", "true", "false"])], { error: "Accept the scope of paid support to continue." })
      .transform((v) => v === true || v === "on" || v === "true")
      .refine((v) => v, "Accept the scope of paid support to continue."),
  })
  .meta({ id: "EscalationGate" });

export type GateAnswers = z.output<typeof gateSchema>;
