import { AppError } from "~/utils/errors";

// Suspension (docs/product.md §people): an admin sets `User.suspendedUntil`; until then the account
// cannot sign in, and its sessions and API tokens cannot act. Checked once, where a request's user is
// resolved (app/services/auth.server.ts), so no action can forget it.

export const isSuspended = (user: { suspendedUntil: Date | null }, now = new Date()) =>
  user.suspendedUntil !== null && user.suspendedUntil > now;

/** "2027-01-05 14:00 UTC": unambiguous for every reader, whatever their time zone. */
export const utcMinute = (d: Date | string) => `${new Date(d).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** The 403 a suspended account gets, saying until when. */
export function suspendedError(until: Date) {
  return new AppError(
    403,
    "account_suspended",
    `Your account is suspended until ${utcMinute(until)}. You can read the forum signed out; posting, voting, flagging and support requests are closed until then.`,
  );
}

/** The refusal for this account, or null when it may act. */
export const suspensionRefusal = (user: { suspendedUntil: Date | null }) =>
  isSuspended(user) ? suspendedError(user.suspendedUntil!) : null;

/** "Suspended until 2027-01-05 14:00 UTC", for lists and notices. Here, not in a .server module: the admin page renders it in the browser too. */
export const suspensionLabel = (p: { suspendedUntil: Date | string | null }) =>
  p.suspendedUntil ? `Suspended until ${utcMinute(p.suspendedUntil)}` : null;
