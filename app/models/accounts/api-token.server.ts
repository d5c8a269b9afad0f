import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { db } from "~/services/db.server";
import { parseOrThrow } from "~/utils/validation";
import { accountUserSelect } from "~/models/accounts/user.server";
import { cleanLine, hasVisibleText, NOTHING_VISIBLE } from "~/utils/text";
import { markViewerLookup } from "~/services/viewer-context.server";

const PREFIX = "blt_";

export const createTokenSchema = z
  .object({
    name: z
      .string()
      .overwrite(cleanLine)
      .min(1, "Give the token a name.")
      .max(80, "At most 80 characters.")
      .refine(hasVisibleText, NOTHING_VISIBLE),
  })
  .meta({ id: "CreateToken" });

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** The secret is returned once; only its hash is stored. */
export async function createApiToken(userId: string, input: unknown) {
  const { name } = parseOrThrow(createTokenSchema, input);
  const secret = PREFIX + randomBytes(32).toString("base64url");
  const row = await db.apiToken.create({
    data: { userId, name, tokenHash: sha256(secret), prefix: secret.slice(0, 10) },
    select: { id: true, name: true, prefix: true, createdAt: true },
  });
  return { ...row, token: secret };
}

export async function userForToken(secret: string) {
  // A render that looks a viewer up is personal: the page cache never shares it.
  markViewerLookup();
  if (!secret.startsWith(PREFIX)) return null;
  const token = await db.apiToken.findUnique({
    where: { tokenHash: sha256(secret) },
    select: { id: true, revokedAt: true, lastUsedAt: true, user: { select: accountUserSelect } },
  });
  if (!token || token.revokedAt) return null;
  // Touch at most once a minute: a bot's every request should not be a write.
  if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } });
  }
  return token.user;
}

export const listApiTokens = (userId: string) =>
  db.apiToken.findMany({
    where: { userId, revokedAt: null },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true },
  });

export async function revokeApiToken(userId: string, tokenId: string) {
  const { count } = await db.apiToken.updateMany({ where: { id: tokenId, userId, revokedAt: null }, data: { revokedAt: new Date() } });
  return count > 0;
}
