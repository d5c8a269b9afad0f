import { describe, expect, it } from "vitest";
import { toSmallestUnit, TYPED_AMOUNT } from "~/utils/money";

// What a maintainer types in the refund form ("12.50") becomes the smallest unit Stripe counts in.

describe("amounts as people type them", () => {
  it("accepts whole amounts and up to two decimals, with a point or a comma", () => {
    for (const typed of ["12", "12.5", "12.50", "12,50", "0.01"]) expect(TYPED_AMOUNT.test(typed), typed).toBe(true);
    for (const typed of ["", "12.505", "-5", "1,000.00", "1e3", "12.", ".5", "$12", "12 50"]) {
      expect(TYPED_AMOUNT.test(typed), typed).toBe(false);
    }
  });

  it("counts cents in two-decimal currencies and whole units in zero-decimal ones", () => {
    expect(toSmallestUnit("12", "usd")).toBe(1200);
    expect(toSmallestUnit("12.5", "usd")).toBe(1250);
    expect(toSmallestUnit("12,05", "EUR")).toBe(1205);
    expect(toSmallestUnit("0.01", "usd")).toBe(1);
    expect(toSmallestUnit("500", "jpy")).toBe(500);
    expect(toSmallestUnit("500.00", "JPY")).toBe(500);
    // A yen has no cents: 500.50 is not an amount the provider can refund.
    expect(toSmallestUnit("500.50", "jpy")).toBeNull();
  });
});
