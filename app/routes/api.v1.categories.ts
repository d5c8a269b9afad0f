import { createCategory as createDef, listCategories as listDef } from "~/api/endpoints/categories";
import { handle, on } from "~/api/endpoint.server";
import { needs } from "~/api/guards.server";
import { createCategory, listCategories } from "~/models/community/category.server";
import { requirePermission } from "~/models/permissions";

export const loader = handle(on(listDef, async () => listCategories()));

export const action = handle(
  on(
    createDef,
    async ({ user, body }) => {
      requirePermission(user, "category:manage");
      return createCategory(user, body);
    },
    needs("category:manage"),
  ),
);
