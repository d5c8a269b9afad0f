import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import { db } from "~/services/db.server";
import { Prisma } from "~/generated/prisma/client";
import { conflict } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { ROLES } from "~/models/permissions";
import type { Role } from "~/models/types";

// argon2id with OWASP's second recommended profile (19 MiB, 2 passes).
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1, algorithm: 2 as const };

const COMMON_PASSWORDS = new Set([
  "password",
  "password1",
  "password123",
  "1234567890",
  "12345678910",
  "qwertyuiop",
  "iloveyou12",
  "letmein123",
  "welcome123",
  "administrator",
  "passw0rd123",
  "abcdefghij",
  "0123456789",
]);

// Fullwidth "ａｄｍｉｎ" becomes "admin" (and is then taken); anything outside
// ASCII letters, digits and "_" is refused, so Cyrillic "аdmin" can never pass
// for "admin", nor can bidi or zero-width tricks.
export const usernameSchema = z
  .string()
  .normalize("NFKC")
  .trim()
  .min(3, "Username must be at least 3 characters.")
  .max(30, "Username must be at most 30 characters.")
  .regex(/^[a-zA-Z0-9_]+$/, "Use letters, digits and underscores only.");

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email("Enter a valid e-mail address.")).pipe(z.string().max(254));

export const passwordSchema = z
  .string()
  .min(10, "Password must be at least 10 characters.")
  .max(200, "Password must be at most 200 characters.")
  .refine((p) => !COMMON_PASSWORDS.has(p.toLowerCase()), "This password is too common; choose another.")
  .refine((p) => new Set(p).size >= 4, "Password is too repetitive.");

export const createUserSchema = z
  .object({ username: usernameSchema, email: emailSchema, password: passwordSchema })
  .refine((v) => !v.password.toLowerCase().includes(v.username.toLowerCase()), {
    path: ["password"],
    message: "Password must not contain your username.",
  })
  .meta({ id: "CreateUser" });

/**
 * Matches a username case-insensitively. Prisma compares with ILIKE, where "_"
 * and "%" are wildcards: unescaped, "/u/%" would show the first member and
 * "@a_a" would mention "ada".
 */
export const usernameIs = (name: string) => ({
  equals: name.replace(/[\\%_]/g, (c) => `\\${c}`),
  mode: "insensitive" as const,
});

export const roleSchema = z.enum(ROLES);

export const publicUserSelect = {
  id: true,
  username: true,
  role: true,
  reputation: true,
  trustLevel: true,
  createdAt: true,
} satisfies Prisma.UserSelect;

export type PublicUser = Prisma.UserGetPayload<{ select: typeof publicUserSelect }>;

/** The signed-in account as requests see it: public fields, the e-mail, and whether it is suspended. */
export const accountUserSelect = { ...publicUserSelect, email: true, suspendedUntil: true } satisfies Prisma.UserSelect;

export const hashPassword = (password: string) => hash(password, ARGON2);

export async function createUser(input: unknown, role: Role = "member"): Promise<PublicUser> {
  const data = parseOrThrow(createUserSchema, input);
  const taken = await db.user.findFirst({
    where: {
      OR: [{ email: data.email }, { username: usernameIs(data.username) }],
    },
    select: { email: true },
  });
  if (taken) throw duplicateError(taken.email === data.email ? "email" : "username");
  try {
    return await db.user.create({
      data: { username: data.username, email: data.email, role, passwordHash: await hashPassword(data.password) },
      select: publicUserSelect,
    });
  } catch (error) {
    // Two sign-ups racing for the same name: the unique index decides.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const target = String((error.meta as { target?: unknown })?.target ?? "");
      throw duplicateError(target.includes("email") ? "email" : "username");
    }
    throw error;
  }
}

function duplicateError(field: "email" | "username") {
  return field === "email"
    ? conflict("An account with this e-mail already exists.", {
        email: "An account with this e-mail already exists. Sign in or reset your password.",
      })
    : conflict("This username is taken.", { username: "This username is taken; choose another." });
}

/** The user for these credentials, or null; runs argon2 even for unknown e-mails so timing tells nothing. */
export async function verifyCredentials(email: string, password: string) {
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  const ok = await verify(user?.passwordHash ?? (await dummyHash()), password).catch(() => false);
  return user && ok ? user : null;
}

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hash("no account has this password", ARGON2));

export const findUserById = (id: string) => db.user.findUnique({ where: { id }, select: accountUserSelect });
