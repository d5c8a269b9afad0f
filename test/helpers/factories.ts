import { db } from "~/services/db.server";
import type { Role } from "~/models/types";
import { createUser } from "~/models/accounts/user.server";
import { TEST_PASSWORD } from "./http";

let seq = 0;

export type TestUser = Awaited<ReturnType<typeof makeUser>>;

/** A user ready to post: trust level 2 unless told otherwise (`trustLevel: 0` is a brand-new account); signs in with TEST_PASSWORD. */
export async function makeUser(opts: { role?: Role; trustLevel?: number; username?: string } = {}) {
  seq += 1;
  const username = opts.username ?? `u${seq}_${Math.random().toString(36).slice(2, 7)}`;
  const email = `${username}@example.com`;
  const user = await createUser({ username, email, password: TEST_PASSWORD }, opts.role ?? "member");
  const trustLevel = opts.trustLevel ?? 2;
  await db.user.update({ where: { id: user.id }, data: { trustLevel } });
  return { ...user, email, trustLevel };
}

export async function makeCategory(opts: { slug?: string; supported?: boolean } = {}) {
  seq += 1;
  const slug = opts.slug ?? `cat-${seq}-${Math.random().toString(36).slice(2, 6)}`;
  return db.category.create({ data: { slug, name: `Category ${slug}`, supported: opts.supported ?? true } });
}
