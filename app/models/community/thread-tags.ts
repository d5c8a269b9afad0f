import type { Prisma } from "~/generated/prisma/client";

/** A thread's tag names as the asker typed them: the first tag is the one they thought of first. */
export const tagsInTypedOrder = {
  select: { tag: { select: { name: true } } },
  orderBy: { position: "asc" },
} satisfies Prisma.Thread$tagsArgs;
