import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { db } from "~/services/db.server";
import { sendMail } from "~/services/mail.server";
import { badRequest } from "~/utils/errors";
import { siteOrigin } from "~/utils/url.server";
import { parseOrThrow } from "~/utils/validation";
import { lockAccount, revokeAccountAccess } from "~/models/accounts/account-access.server";
import { enforce } from "~/models/rate-limit.server";
import { emailSchema, hashPassword, passwordSchema } from "~/models/accounts/user.server";

const TOKEN_TTL_MS = 60 * 60 * 1000;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export const requestResetSchema = z.object({ email: emailSchema });
export const resetPasswordSchema = z
  .object({ token: z.string().min(20), password: passwordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The passwords do not match." });

/**
 * Always answers the same way whether or not the e-mail has an account, so the
 * form cannot be used to discover members.
 */
export async function requestPasswordReset(input: unknown) {
  const { email } = parseOrThrow(requestResetSchema, input);
  await enforce({ key: `reset:${email}`, max: 3, windowSeconds: 3600, what: "password reset requests" });
  const user = await db.user.findUnique({ where: { email }, select: { id: true, username: true, email: true } });
  if (!user) return { mailFile: undefined };
  const token = randomBytes(32).toString("base64url");
  await db.passwordReset.create({
    data: { userId: user.id, tokenHash: sha256(token), expiresAt: new Date(Date.now() + TOKEN_TTL_MS) },
  });
  const link = `${siteOrigin()}/reset-password/${token}`;
  const mailFile = await sendMail({
    to: user.email,
    subject: "Reset your Backline password",
    text: `Hello ${user.username},\n\nSomeone (hopefully you) asked to reset your password. Open this link within one hour:\n\n${link}\n\nIf it was not you, ignore this message; your password stays as it is.\n`,
  });
  return { mailFile };
}

export async function findValidReset(token: string) {
  const row = await db.passwordReset.findUnique({ where: { tokenHash: sha256(token) } });
  if (!row || row.usedAt || row.expiresAt <= new Date()) return null;
  return row;
}

const linkRefused = () =>
  badRequest("This reset link is invalid, was already used or has expired. Ask for a new one.", {
    token: "Invalid, used or expired link.",
  });

/**
 * Sets the new password and spends the link; every session, API token and
 * other reset link of the account ends with it (docs/decisions/026).
 */
export async function resetPassword(input: unknown) {
  const data = parseOrThrow(resetPasswordSchema, input);
  const row = await findValidReset(data.token);
  if (!row) throw linkRefused();
  // Hashing takes a while: outside the transaction, so the account is locked only for the writes.
  const passwordHash = await hashPassword(data.password);
  await db.$transaction(async (tx) => {
    await lockAccount(tx, row.userId);
    // Checked again under the lock: a reset that committed meanwhile has spent or expired this link.
    const now = new Date();
    const spent = await tx.passwordReset.updateMany({
      where: { id: row.id, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (spent.count === 0) throw linkRefused();
    await tx.user.update({ where: { id: row.userId }, data: { passwordHash } });
    await revokeAccountAccess(tx, row.userId);
  });
  return { userId: row.userId };
}
