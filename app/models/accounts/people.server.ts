import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { badRequest, conflict, notFound } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { requirePermission } from "~/models/permissions";
import { writeAudit } from "~/models/moderation/audit.server";
import { lockAccount } from "~/models/accounts/account-access.server";
import { isSuspended } from "~/models/accounts/suspension";
import { roleSchema, usernameIs } from "~/models/accounts/user.server";
import type { Actor, Role } from "~/models/types";

// People administration (docs/product.md §people, issue 18): admins find accounts, change roles,
// suspend and unsuspend; every change is written to the audit log in the same transaction. What a
// suspension does to the account is decided where requests are signed in (suspension.ts).

export const PEOPLE_PAGE_SIZE = 25;

export const peopleQuerySchema = z
  .object({
    q: z.string().trim().max(254).optional().describe("Part of a username or e-mail address"),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
  })
  .meta({ id: "PeopleQuery" });

const personSelect = {
  id: true,
  username: true,
  email: true,
  role: true,
  suspendedUntil: true,
  createdAt: true,
} satisfies Prisma.UserSelect;

type PersonRow = Prisma.UserGetPayload<{ select: typeof personSelect }>;

const person = (u: PersonRow, now = new Date()) => ({ ...u, suspendedUntil: isSuspended(u, now) ? u.suspendedUntil : null });
export type Person = ReturnType<typeof person>;

/** Accounts matching part of a username or e-mail, newest first, a page at a time; admins only. */
export async function findPeople(actor: Actor | null, input: unknown) {
  requirePermission(actor, "user:role:manage");
  const raw = (input ?? {}) as Record<string, unknown>;
  const q = parseOrThrow(peopleQuerySchema, Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== "" && v != null)));
  const where: Prisma.UserWhereInput = q.q
    ? { OR: [{ username: { contains: q.q, mode: "insensitive" } }, { email: { contains: q.q, mode: "insensitive" } }] }
    : {};
  const [rows, total] = await Promise.all([
    db.user.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (q.page - 1) * PEOPLE_PAGE_SIZE,
      take: PEOPLE_PAGE_SIZE,
      select: personSelect,
    }),
    db.user.count({ where }),
  ]);
  const now = new Date();
  return {
    people: rows.map((r) => person(r, now)),
    query: q.q ?? "",
    page: q.page,
    pages: Math.max(1, Math.ceil(total / PEOPLE_PAGE_SIZE)),
    total,
  };
}

const reasonSchema = z
  .string()
  .trim()
  .min(3, "Give the reason (at least 3 characters): the member is told, and the audit log keeps it.")
  .max(500);

export const personChangeSchema = z
  .object({
    role: roleSchema.optional(),
    suspendedUntil: z
      .union([z.null(), z.coerce.date({ error: "Give a date like 2027-01-31, or a date and time." })])
      .optional()
      .describe("Suspend until this time; null lifts a suspension"),
    reason: z.string().trim().max(500).optional().describe("Required to suspend; recorded in the audit log"),
  })
  .refine((v) => v.role !== undefined || v.suspendedUntil !== undefined, {
    message: "Send a role, or suspendedUntil (null to lift a suspension).",
  })
  .meta({ id: "PersonChange" });

/** Changes a member's role and/or suspension; admins only, never on themselves. */
export async function changePerson(actor: Actor | null, username: string, input: unknown, now = new Date()): Promise<Person> {
  requirePermission(actor, "user:role:manage");
  const change = parseOrThrow(personChangeSchema, input);
  const target = await db.user.findFirst({ where: { username: usernameIs(username) }, select: { id: true } });
  if (!target) throw notFound(`No member is called @${username}.`);
  if (target.id === actor.id && ((change.role && change.role !== actor.role) || change.suspendedUntil)) {
    // The forum must keep an admin who can undo mistakes: another admin makes this change.
    throw conflict("You cannot demote or suspend yourself. Ask another admin to do it.");
  }
  if (change.suspendedUntil) {
    if (change.suspendedUntil <= now)
      throw badRequest("Suspend until a time in the future.", { suspendedUntil: "Pick a date in the future." });
    const reason = reasonSchema.safeParse(change.reason ?? "");
    if (!reason.success) throw badRequest(reason.error.issues[0]!.message, { reason: reason.error.issues[0]!.message });
  }
  return applyChange(actor.id, target.id, change, now);
}

/**
 * `npm run cli -- user:role`: the operator's way to make the first admin. Audited like the admin page,
 * with no actor (the audit log shows "system") and a reason saying where it came from.
 */
export async function changeRoleFromCommandLine(email: string, role: Role): Promise<Person> {
  const target = await db.user.findUnique({ where: { email: email.trim().toLowerCase() }, select: { id: true } });
  if (!target) throw notFound(`No account with e-mail ${email}`);
  return applyChange(null, target.id, { role, reason: "Changed on the command line (npm run cli -- user:role)" });
}

/** The one place a role or suspension changes: the account locked, the change and its audit entries in one transaction. */
function applyChange(actorId: string | null, targetId: string, change: Partial<z.output<typeof personChangeSchema>>, now = new Date()) {
  return db.$transaction(async (tx) => {
    await lockAccount(tx, targetId);
    const before = await tx.user.findUniqueOrThrow({ where: { id: targetId }, select: personSelect });
    const data: Prisma.UserUpdateInput = {};
    const audit = (action: "user.role" | "user.suspend" | "user.unsuspend", extra: Prisma.InputJsonObject, reason?: string) =>
      writeAudit(tx, {
        actorId,
        action,
        targetType: "user",
        targetId,
        reason,
        data: { username: before.username, ...extra },
      });
    if (change.role && change.role !== before.role) {
      data.role = change.role;
      await audit("user.role", { from: before.role, to: change.role }, change.reason);
    }
    if (change.suspendedUntil) {
      data.suspendedUntil = change.suspendedUntil;
      await audit("user.suspend", { until: change.suspendedUntil.toISOString() }, change.reason);
    } else if (change.suspendedUntil === null && isSuspended(before, now)) {
      data.suspendedUntil = null;
      await audit("user.unsuspend", { until: before.suspendedUntil!.toISOString() }, change.reason);
    }
    const after = await tx.user.update({ where: { id: targetId }, data, select: personSelect });
    return person(after, now);
  });
}
