// What the maintainer needs before a paid ticket can start (docs/product.md §4.2).
// Shared by the gate form, the API and the ticket snapshot; free of zod so the form's browser bundle stays small.
export const SCOPE_STATEMENT =
  "Paid support covers defects and usage of the product; not custom development, server administration or third-party software.";

export const GATE_LIMITS = {
  productVersion: { min: 2, max: 100 },
  environment: { min: 10, max: 2000 },
  stepsToReproduce: { min: 30, max: 10_000 },
  alreadyTried: { min: 20, max: 5000 },
} as const;
