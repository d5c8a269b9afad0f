import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { parseOrThrow } from "~/utils/validation";
import { requirePermission } from "~/models/permissions";
import { usernameIs } from "~/models/accounts/user.server";
import type { Actor, Tx } from "~/models/types";

export const AUDIT_PAGE_SIZE = 50;

// Every action a moderator can take; the audit page offers them as a filter.
export const AUDIT_ACTIONS = [
  "post.hide",
  "post.unhide",
  "post.auto_hide",
  "post.delete",
  "post.restore",
  "post.edit",
  "answer.accept",
  "answer.unaccept",
  "thread.hide",
  "thread.unhide",
  "thread.lock",
  "thread.unlock",
  "thread.move",
  "thread.delete",
  "thread.restore",
  "flag.dismiss",
  // People, by admins (app/models/accounts/people.server.ts).
  "user.role",
  "user.suspend",
  "user.unsuspend",
] as const;

export type AuditEntry = {
  /** null for the system (e.g. a post hidden automatically by flags). */
  actorId: string | null;
  action: (typeof AUDIT_ACTIONS)[number];
  targetType: "post" | "thread" | "user";
  targetId: string;
  reason?: string | null;
  /** What a reader of the log needs later: where the content lived, what changed. */
  data?: Prisma.InputJsonObject;
};

/** Written in the same transaction as the change it records, so the log cannot miss one. */
export async function writeAudit(tx: Tx, entry: AuditEntry) {
  await tx.auditLog.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      reason: entry.reason || null,
      data: entry.data ?? undefined,
    },
  });
}

const dateParam = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: "custom", message: "Use a date like 2026-01-31." });
      return z.NEVER;
    }
    return d;
  });

export const auditQuerySchema = z
  .object({
    action: z.string().trim().max(60).optional().describe("An exact action such as `post.hide`, or a prefix such as `thread.`"),
    actor: z.string().trim().max(30).optional().describe("Username of the moderator"),
    targetType: z.enum(["post", "thread", "user"]).optional(),
    targetId: z.string().trim().max(60).optional(),
    from: dateParam.describe("On or after this date (ISO 8601)"),
    to: dateParam.describe("Before the end of this date (ISO 8601)"),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
  })
  .meta({ id: "AuditQuery" });

// A date without a time means "through the end of that day".
const endOf = (d: Date, raw?: string) => (raw && /^\d{4}-\d{2}-\d{2}$/.test(raw.trim()) ? new Date(d.getTime() + 86_400_000) : d);

/** The audit log, newest first, for moderators. */
export async function listAudit(viewer: Actor | null, input: unknown) {
  requirePermission(viewer, "audit:read");
  const raw = (input ?? {}) as Record<string, string | undefined>;
  const q = parseOrThrow(auditQuerySchema, Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== "")));
  const where: Prisma.AuditLogWhereInput = {};
  if (q.action) where.action = q.action.endsWith(".") ? { startsWith: q.action } : q.action;
  if (q.actor) where.actor = { username: usernameIs(q.actor) };
  if (q.targetType) where.targetType = q.targetType;
  if (q.targetId) where.targetId = q.targetId;
  if (q.from || q.to) where.createdAt = { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: endOf(q.to, raw.to) } : {}) };
  const [rows, total] = await Promise.all([
    db.auditLog.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (q.page - 1) * AUDIT_PAGE_SIZE,
      take: AUDIT_PAGE_SIZE,
      select: {
        id: true,
        action: true,
        targetType: true,
        targetId: true,
        reason: true,
        data: true,
        createdAt: true,
        actor: { select: { username: true } },
      },
    }),
    db.auditLog.count({ where }),
  ]);
  return {
    entries: rows.map((r) => {
      const data = (r.data ?? null) as Record<string, unknown> | null;
      return {
        id: r.id,
        action: r.action,
        actor: r.actor?.username ?? null,
        targetType: r.targetType,
        targetId: r.targetId,
        reason: r.reason,
        data,
        url: typeof data?.url === "string" ? data.url : null,
        createdAt: r.createdAt,
      };
    }),
    page: q.page,
    pageSize: AUDIT_PAGE_SIZE,
    total,
  };
}

export type AuditPage = Awaited<ReturnType<typeof listAudit>>;
