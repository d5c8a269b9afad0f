import { db } from "~/services/db.server";
import type { Role } from "~/models/types";
import { createUser } from "~/models/accounts/user.server";

let seq = 0;

/** A user ready to post: trust level 2 unless told otherwise (new accounts are level 0). */
export async function makeUser(opts: { role?: Role; trustLevel?: number; username?: string } = {}) {
  seq += 1;
  const username = opts.username ?? `u${seq}_${Math.random().toString(36).slice(2, 7)}`;
  const user = await createUser({ username, email: `${username}@example.com`, password: "a long passphrase 42" }, opts.role ?? "member");
  const trustLevel = opts.trustLevel ?? 2;
  await db.user.update({ where: { id: user.id }, data: { trustLevel } });
  return { ...user, trustLevel };
}

export async function makeCategory(opts: { slug?: string; supported?: boolean } = {}) {
  seq += 1;
  const slug = opts.slug ?? `cat-${seq}-${Math.random().toString(36).slice(2, 6)}`;
  return db.category.create({ data: { slug, name: `Category ${slug}`, supported: opts.supported ?? true } });
}
