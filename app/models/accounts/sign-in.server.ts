import { enforce, refund, reserve, reset } from "~/models/rate-limit.server";
import { findUserById, verifyCredentials } from "~/models/accounts/user.server";
import { AppError, unauthorized } from "~/utils/errors";

// The rules of signing in and signing up (the HTTP side is app/services/auth.server.ts).

// Five failures per account or twenty per address in 15 minutes, then a pause.
const loginLimits = (email: string, ip: string) => [
  { key: `login:${email}`, max: 5, windowSeconds: 900, what: "failed sign-in attempts" },
  { key: `login-ip:${ip}`, max: 20, windowSeconds: 900, what: "failed sign-in attempts" },
];

/** The account an e-mail and password open, within the limits on failed attempts. */
export async function signIn({ email, password, clientIp }: { email: string; password: string; clientIp: string }) {
  const limits = loginLimits(email, clientIp);
  // Counted before the password is checked, so a parallel burst of guesses gets no more than the limit tried.
  const reserved = await reserve(limits);
  const user = await verifyCredentials(email, password);
  if (!user) {
    throw new AppError(401, "invalid_credentials", "That e-mail and password do not match an account.", {
      password: "That e-mail and password do not match an account.",
    });
  }
  // A success is not a failed attempt: the account starts afresh and the address gets its attempt back.
  await reset(limits[0]!.key);
  await refund(reserved.slice(1));
  const current = await findUserById(user.id);
  if (!current) throw unauthorized();
  return current;
}

/** Ten new accounts an hour from one client address, whether through the form or the API. */
export async function countSignUp(clientIp: string) {
  await enforce({ key: `signup:${clientIp}`, max: 10, windowSeconds: 3600, what: "sign-ups from this address" });
}
