import { describe, expect, it } from "vitest";
import { moneyLine, moneyWords, type MoneyFacts } from "~/models/payments/money-words";

// The one function for words about money (issue 18): per state, funding source and reader.

const facts = (over: Partial<MoneyFacts> = {}): MoneyFacts => ({
  status: "authorized",
  funding: "card",
  amountCents: 4900,
  currency: "usd",
  refundedCents: 0,
  disputeStatus: null,
  ...over,
});

describe("moneyWords", () => {
  it("never calls a hold 'Paid', and keeps the member's promise from the desk", () => {
    expect(moneyWords(facts(), "member")).toBe("Card authorised (not charged yet): you are charged only if the maintainer accepts.");
    expect(moneyWords(facts(), "desk")).toBe("Card authorised (not charged yet): accepting the ticket charges it.");
    expect(moneyWords(facts(), "desk")).not.toContain("charged only if");
    expect(moneyWords(facts({ status: "captured" }), "member")).toBe("Paid by card.");
    expect(moneyWords(facts({ status: "canceled" }), "desk")).toBe("Authorisation released; the member was not charged.");
  });

  it("says a ticket drawn from a support plan is covered by it, never 'Card authorised'", () => {
    const plan = (status: string) => facts({ status, funding: "insurance" });
    expect(moneyWords(plan("authorized"), "member")).toMatch(/^Covered by your support plan/);
    expect(moneyWords(plan("authorized"), "desk")).toMatch(/^Covered by the member's support plan \(not drawn yet\)/);
    expect(moneyWords(plan("captured"), "member")).toBe("Paid from your support plan.");
    expect(moneyWords(plan("canceled"), "member")).toBe("Nothing was drawn from your support plan.");
    for (const s of ["authorized", "capture_pending", "captured", "canceled"])
      for (const v of ["member", "desk"] as const) expect(moneyWords(plan(s), v)).not.toMatch(/card/i);
    expect(moneyWords({ ...plan("captured"), refundedCents: 4900 }, "member")).toBe(
      "Paid, then refunded in full to your support plan ($49.00).",
    );
    expect(moneyLine(plan("authorized"), "member")).toBe("$49.00 covered by the support plan, not drawn yet");
  });

  it("tells refunds and disputes to each reader", () => {
    expect(moneyWords(facts({ status: "captured", refundedCents: 1000 }), "member")).toBe("Paid $49.00; $10.00 of it was refunded.");
    expect(moneyWords(facts({ status: "captured", disputeStatus: "needs_response" }), "desk")).toBe(
      "Paid; the payment is disputed with the member's bank.",
    );
  });

  it("tells the public what became of a request that ended without support, and nothing else", () => {
    expect(moneyWords({ ticketState: "rejected" }, "public")).toBe("Paid support was declined; no charge was made.");
    expect(moneyWords({ ticketState: "expired" }, "public")).toMatch(/expired unanswered; no charge was made/);
    expect(moneyWords({ ticketState: "withdrawn" }, "public")).toBeNull();
    expect(moneyWords({ ticketState: "open" }, "public")).toBeNull();
  });
});
