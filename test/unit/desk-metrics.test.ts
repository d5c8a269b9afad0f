import { describe, expect, it } from "vitest";
import { computeDeskMetrics, csvCell, median, metricsCsv, percentile, toCsv, type MetricTicket } from "~/models/desk/metrics";

const H = 3_600_000;
const paid = new Date("2026-01-10T00:00:00Z");
const after = (hours: number, from = paid) => new Date(from.getTime() + hours * H);

function t(id: string, over: Partial<MetricTicket>): MetricTicket {
  return {
    id,
    state: "open",
    tierSlug: "standard",
    tierName: "Standard",
    responseHours: 48,
    paidAt: paid,
    acceptedAt: null,
    firstResponseAt: null,
    rejectReason: null,
    capturedCents: 0,
    currency: "usd",
    ...over,
  };
}

// Ten tickets with known answers. First responses (hours): 1, 2, 3, 4, 5, 10, 20, 60 (standard, 48 h: late),
// 13 (priority, 12 h: late) → sorted 1 2 3 4 5 10 13 20 60; median 5 h, p90 = 9th of 9 = 60 h.
const fixture: MetricTicket[] = [
  t("a", { state: "resolved", firstResponseAt: after(1), acceptedAt: after(1), capturedCents: 4900 }),
  t("b", { state: "resolved", firstResponseAt: after(2), acceptedAt: after(2), capturedCents: 4900 }),
  t("c", { state: "open", firstResponseAt: after(3), acceptedAt: after(3), capturedCents: 4900 }),
  t("d", { state: "rejected", firstResponseAt: after(4), rejectReason: "careless" }),
  t("e", { state: "rejected", firstResponseAt: after(5), rejectReason: "duplicate" }),
  t("f", { state: "rejected", firstResponseAt: after(10), rejectReason: "careless" }),
  t("g", {
    state: "waiting_on_customer",
    firstResponseAt: after(20),
    acceptedAt: after(20),
    capturedCents: 4900,
    paidAt: new Date("2026-02-01T00:00:00Z"),
  }),
  t("h", { state: "resolved", firstResponseAt: after(60), acceptedAt: after(60), capturedCents: 4900 }),
  t("i", {
    state: "open",
    tierSlug: "priority",
    tierName: "Priority",
    responseHours: 12,
    firstResponseAt: after(13),
    acceptedAt: after(13),
    capturedCents: 14900,
  }),
  t("j", { state: "expired" }),
  t("k", { state: "awaiting_acceptance" }),
];
// g was paid on Feb 1 but its first response counts from its own payment: 20 h.
fixture[6]!.firstResponseAt = after(20, fixture[6]!.paidAt);
fixture[6]!.acceptedAt = after(20, fixture[6]!.paidAt);

// Every deadline of the fixture's unanswered tickets is still ahead at this time.
const now = after(30);

describe("desk metrics on a fixture with known answers", () => {
  const m = computeDeskMetrics(fixture, now);

  it("counts tickets by state", () => {
    expect(m.total).toBe(11);
    expect(m.byState).toEqual({
      awaiting_acceptance: 1,
      open: 2,
      waiting_on_customer: 1,
      resolved: 3,
      rejected: 3,
      expired: 1,
      withdrawn: 0,
    });
  });

  it("computes the median and p90 time to first response", () => {
    expect(m.firstResponse).toEqual({ count: 9, medianMs: 5 * H, p90Ms: 60 * H });
  });

  it("counts the share answered within the promise among tickets with a verdict (the expired one is a miss)", () => {
    // 7 of 9 answered in time (h at 60 h of 48, i at 13 h of 12 are late), plus one expired: 7 of 10.
    expect(m.promise).toEqual({ judged: 10, within: 7, share: 0.7 });
  });

  it("counts a ticket still being worked and unanswered past its deadline as a miss, and not before", () => {
    // Accepted without a word (a bare accept is no response, ADR 034): it never expires, and its promise was broken.
    const silent = [
      t("accepted", { state: "open", acceptedAt: after(1), capturedCents: 4900 }),
      t("waiting", { state: "awaiting_acceptance" }),
      t("withdrawn", { state: "withdrawn" }),
    ];
    expect(computeDeskMetrics([...fixture, ...silent], after(47)).promise).toEqual(m.promise);
    // At 48 h the accepted one and the one still awaiting acceptance (the clock job not run yet) are misses, and so
    // is k; a withdrawn ticket has no verdict.
    expect(computeDeskMetrics([...fixture, ...silent], after(48)).promise).toEqual({ judged: 13, within: 7, share: 7 / 13 });
  });

  it("sums captured revenue by tier and month of acceptance", () => {
    expect(m.revenue).toEqual([
      {
        month: "2026-01",
        tierSlug: "priority",
        tierName: "Priority",
        currency: "usd",
        cents: 14900,
        tickets: 1,
        grossCents: 14900,
        refundedCents: 0,
        disputedCents: 0,
      },
      {
        month: "2026-01",
        tierSlug: "standard",
        tierName: "Standard",
        currency: "usd",
        cents: 4 * 4900,
        tickets: 4,
        grossCents: 4 * 4900,
        refundedCents: 0,
        disputedCents: 0,
      },
      {
        month: "2026-02",
        tierSlug: "standard",
        tierName: "Standard",
        currency: "usd",
        cents: 4900,
        tickets: 1,
        grossCents: 4900,
        refundedCents: 0,
        disputedCents: 0,
      },
    ]);
    expect(m.revenueTotals).toEqual([
      { currency: "usd", cents: 14900 + 5 * 4900, grossCents: 14900 + 5 * 4900, refundedCents: 0, disputedCents: 0 },
    ]);
  });

  it("counts captured net of refunds and lost chargebacks: captured = Σ accepted − refunds − disputes lost", () => {
    const withRefunds = computeDeskMetrics([
      t("r1", { acceptedAt: after(1), capturedCents: 4900, refundedCents: 1000 }),
      t("r2", { acceptedAt: after(1), capturedCents: 4900, refundedCents: 4900 }),
      // A lost dispute on what was partly refunded takes at most what was left.
      t("r3", { acceptedAt: after(1), capturedCents: 4900, refundedCents: 900, disputeLostCents: 4900 }),
      t("r4", { acceptedAt: after(1), capturedCents: 4900 }),
    ]);
    expect(withRefunds.revenueTotals).toEqual([
      { currency: "usd", grossCents: 4 * 4900, refundedCents: 6800, disputedCents: 4000, cents: 4 * 4900 - 6800 - 4000 },
    ]);
    expect(metricsCsv(withRefunds).split("\r\n")).toEqual(
      expect.arrayContaining([
        "captured_revenue_cents,Standard,2026-01,usd,8800",
        "refunded_cents,Standard,2026-01,usd,6800",
        "disputes_lost_cents,Standard,2026-01,usd,4000",
      ]),
    );
  });

  it("counts rejections by reason, every reason listed", () => {
    expect(m.rejections).toEqual({ careless: 2, out_of_scope: 0, duplicate: 1 });
  });

  it("has no numbers to show for no tickets", () => {
    const empty = computeDeskMetrics([]);
    expect(empty.firstResponse).toEqual({ count: 0, medianMs: null, p90Ms: null });
    expect(empty.promise.share).toBeNull();
  });

  it("uses the conventional median and nearest-rank percentiles", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([7], 90)).toBe(7);
  });
});

describe("CSV export", () => {
  it("quotes cells with commas, quotes or line breaks and doubles inner quotes", () => {
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(null)).toBe("");
    expect(csvCell(-5)).toBe("-5");
  });

  it("defuses text a spreadsheet would run as a formula", () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell("@cmd")).toBe("'@cmd");
  });

  it("writes CRLF rows and round-trips through a CSV reader", () => {
    const csv = toCsv([
      ["a", "b,c"],
      [1, 'd"e'],
    ]);
    expect(csv).toBe('a,"b,c"\r\n1,"d""e"\r\n');
  });

  it("exports every metric as metric, group, month, currency, value", () => {
    const lines = metricsCsv(computeDeskMetrics(fixture, now)).trim().split("\r\n");
    expect(lines[0]).toBe("metric,group,month,currency,value");
    expect(lines).toContain("tickets_by_state,rejected,,,3");
    expect(lines).toContain(`first_response_ms,median,,,${5 * H}`);
    expect(lines).toContain("answered_within_promise,share,,,0.7");
    expect(lines).toContain("captured_revenue_cents,Standard,2026-01,usd,19600");
    expect(lines).toContain("rejections_by_reason,out_of_scope,,,0");
  });
});
