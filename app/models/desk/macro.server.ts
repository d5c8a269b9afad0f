import { z } from "zod";
import { getEnv } from "~/env.server";
import { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { conflict, notFound } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { renderMacro, unknownPlaceholders, type MacroValues } from "~/models/desk/macro";
import { can, requirePermission } from "~/models/permissions";
import type { Actor as BaseActor } from "~/models/types";
import { cleanLine, hasVisibleText, NOTHING_VISIBLE } from "~/utils/text";

// Admin-managed canned replies; maintainers use them on tickets.
type Actor = BaseActor & { username?: string };

export const macroInputSchema = z
  .object({
    name: z
      .string()
      .overwrite(cleanLine)
      .min(2, "At least 2 characters.")
      .max(80, "At most 80 characters.")
      .refine(hasVisibleText, NOTHING_VISIBLE),
    body: z.string().trim().min(2, "Write the reply.").max(10_000, "At most 10,000 characters.").refine(hasVisibleText, NOTHING_VISIBLE),
  })
  .meta({ id: "MacroInput" });

const select = { id: true, name: true, body: true, updatedAt: true } satisfies Prisma.MacroSelect;

export async function listMacros(actor: Actor) {
  if (!can(actor, "macro:use") && !can(actor, "macro:manage")) throw notFound();
  const macros = await db.macro.findMany({ orderBy: { name: "asc" }, select });
  return macros.map((m) => ({ ...m, unknown: unknownPlaceholders(m.body) }));
}

async function audit(actorId: string, action: string, targetId: string, data?: Prisma.InputJsonValue) {
  await db.auditLog.create({ data: { actorId, action, targetType: "macro", targetId, data } });
}

function duplicateName(error: unknown) {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    return conflict("Another macro already has this name.", { name: "Another macro already has this name." });
  }
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025") return notFound("No such macro.");
  return error;
}

export async function createMacro(actor: Actor, input: unknown) {
  requirePermission(actor, "macro:manage");
  const data = parseOrThrow(macroInputSchema, input);
  try {
    const macro = await db.macro.create({ data, select });
    await audit(actor.id, "macro.create", macro.id, { name: data.name });
    return macro;
  } catch (error) {
    throw duplicateName(error);
  }
}

export async function updateMacro(actor: Actor, id: string, input: unknown) {
  requirePermission(actor, "macro:manage");
  const data = parseOrThrow(macroInputSchema, input);
  try {
    const macro = await db.macro.update({ where: { id }, data, select });
    await audit(actor.id, "macro.update", id, { name: data.name });
    return macro;
  } catch (error) {
    throw duplicateName(error);
  }
}

export async function deleteMacro(actor: Actor, id: string) {
  requirePermission(actor, "macro:manage");
  const { count } = await db.macro.deleteMany({ where: { id } });
  if (!count) throw notFound("No such macro.");
  await audit(actor.id, "macro.delete", id);
}

/** Every macro rendered for one ticket, for the picker on the ticket page (desk only). */
export async function macrosForTicket(
  actor: Actor & { username: string },
  ticket: { id: string; owner: string; tier: { name: string }; snapshot: { thread: { title: string; url: string } } },
) {
  if (!can(actor, "macro:use")) return [];
  const values: MacroValues = {
    "member.username": ticket.owner,
    "thread.title": ticket.snapshot.thread.title,
    "thread.url": ticket.snapshot.thread.url,
    "ticket.tier": ticket.tier.name,
    "ticket.url": `${getEnv().publicUrl}/tickets/${ticket.id}`,
    "maintainer.username": actor.username,
  };
  const macros = await db.macro.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, body: true } });
  return macros.map((m) => ({ id: m.id, name: m.name, text: renderMacro(m.body, values) }));
}
