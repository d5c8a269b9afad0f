import { intakeNow } from "~/models/availability/availability.server";

// Every member's thread page shows whether paid support takes tickets now, and the answer is the same for all of
// them: three statements per page (docs/decisions/042, 045). It is reused while the page cache's content version
// stands, which ticket, tier and availability writes move (migration content_version_support), and for a few
// seconds at most, because an absence begins to pause a tier as the clock nears it. Escalating checks afresh.

const REUSE_MS = 5_000;

let memo: { version: string; at: number; intake: ReturnType<typeof intakeNow> } | null = null;

/** intakeNow() for display; `version` null (unknown, or no page cache) computes it afresh. */
export function intakeForDisplay(version: string | null, now = Date.now()): ReturnType<typeof intakeNow> {
  if (version === null) return intakeNow();
  if (memo && memo.version === version && now - memo.at < REUSE_MS) return memo.intake;
  const intake = intakeNow();
  const entry = { version, at: now, intake };
  memo = entry;
  // A failed look-up is not kept for the next page.
  intake.catch(() => {
    if (memo === entry) memo = null;
  });
  return intake;
}
