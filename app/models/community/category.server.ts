import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { enqueueThreads } from "#search/outbox.server";
import { conflict, notFound } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { emptyOrVisible, NOTHING_VISIBLE } from "~/utils/text";
import { displayNameField, positionField, slugField } from "~/utils/schema-fields";

export const categorySelect = {
  id: true,
  slug: true,
  name: true,
  description: true,
  supported: true,
  threadCount: true,
  postCount: true,
  position: true,
} as const;

export const listCategories = () => db.category.findMany({ orderBy: [{ position: "asc" }, { name: "asc" }], select: categorySelect });

export const findCategoryBySlug = (slug: string) => db.category.findUnique({ where: { slug }, select: categorySelect });

export const categoryInputSchema = z
  .object({
    slug: slugField,
    name: displayNameField,
    description: z.string().trim().max(500, "At most 500 characters.").refine(emptyOrVisible, NOTHING_VISIBLE).default(""),
    supported: z
      .union([z.boolean(), z.enum(["on", "true", "false", ""])])
      .default(false)
      .transform((v) => v === true || v === "on" || v === "true"),
    position: positionField,
  })
  .meta({ id: "CategoryInput" });

async function audit(actorId: string, action: string, targetId: string, data: Prisma.InputJsonValue) {
  await db.auditLog.create({ data: { actorId, action, targetType: "category", targetId, data } });
}

export async function createCategory(actor: { id: string }, input: unknown) {
  const data = parseOrThrow(categoryInputSchema, input);
  if (await db.category.findUnique({ where: { slug: data.slug } })) {
    throw conflict("A category with this slug exists.", { slug: "Choose another slug." });
  }
  const category = await db.category.create({ data, select: categorySelect });
  await audit(actor.id, "category.create", category.id, data);
  return category;
}

export async function updateCategory(actor: { id: string }, id: string, input: unknown) {
  const data = parseOrThrow(categoryInputSchema.partial(), input);
  const existing = await db.category.findUnique({ where: { id } });
  if (!existing) throw notFound("No such category.");
  if (data.slug && data.slug !== existing.slug && (await db.category.findUnique({ where: { slug: data.slug } }))) {
    throw conflict("A category with this slug exists.", { slug: "Choose another slug." });
  }
  const category = await db.$transaction(async (tx) => {
    const updated = await tx.category.update({ where: { id }, data, select: categorySelect });
    // Every search document of its threads carries the category's slug and name.
    if (updated.slug !== existing.slug || updated.name !== existing.name) await enqueueThreads({ categoryId: id }, tx);
    return updated;
  });
  await audit(actor.id, "category.update", id, data);
  return category;
}

/** Only an empty category can go; threads are moved first so nothing is lost. */
export async function deleteCategory(actor: { id: string }, id: string) {
  const existing = await db.category.findUnique({ where: { id }, select: { id: true, slug: true } });
  if (!existing) throw notFound("No such category.");
  if (await db.thread.count({ where: { categoryId: id } })) {
    throw conflict("This category still has threads; move them to another category first.");
  }
  await db.category.delete({ where: { id } });
  await audit(actor.id, "category.delete", id, { slug: existing.slug });
}
