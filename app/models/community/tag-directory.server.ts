import { z } from "zod";
import { db } from "~/services/db.server";
import { notFound } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { notRemovedWhere } from "~/models/community/visibility.server";

// Counts come from visible threads only, so a tag used only by hidden or
// deleted threads does not appear (Tag.count also counts those).
export const TAGS_LIMIT = 500;

export const tagDirectorySchema = z.object({
  q: z.string().trim().toLowerCase().max(30).optional(),
});

export async function listTags(input: unknown = {}) {
  const { q } = parseOrThrow(tagDirectorySchema, input);
  const pattern = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : "%";
  return db.$queryRaw<{ name: string; threads: number }[]>`
    select t.name, count(*)::int as threads
    from "Tag" t
    join "ThreadTag" tt on tt."tagId" = t.id
    join "Thread" th on th.id = tt."threadId"
    where th.hidden = false and th."deletedAt" is null and t.name like ${pattern}
    group by t.name
    order by threads desc, t.name asc
    limit ${TAGS_LIMIT}`;
}

/** A tag and how many visible threads carry it; 404 for a tag that was never used. */
export async function findTag(name: string) {
  const tag = await db.tag.findUnique({ where: { name: name.toLowerCase() }, select: { id: true, name: true } });
  if (!tag) throw notFound("No threads carry that tag.");
  const threads = await db.thread.count({ where: { ...notRemovedWhere, tags: { some: { tagId: tag.id } } } });
  return { name: tag.name, threads };
}
