import { db } from "~/services/db.server";

export const categorySelect = {
  id: true,
  slug: true,
  name: true,
  description: true,
  supported: true,
  threadCount: true,
  postCount: true,
} as const;

export const listCategories = () =>
  db.category.findMany({ orderBy: [{ position: "asc" }, { name: "asc" }], select: categorySelect });

export const findCategoryBySlug = (slug: string) => db.category.findUnique({ where: { slug }, select: categorySelect });
