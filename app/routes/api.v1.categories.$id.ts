import { deleteCategory as deleteDef, updateCategory as updateDef } from "~/api/endpoints/categories";
import { handle, on } from "~/api/endpoint.server";
import { needs } from "~/api/guards.server";
import { deleteCategory, updateCategory } from "~/models/community/category.server";
import { requirePermission } from "~/models/permissions";

export const action = handle(
  on(
    updateDef,
    async ({ user, params, body }) => {
      requirePermission(user, "category:manage");
      return updateCategory(user, params.id!, body);
    },
    needs("category:manage"),
  ),
  on(
    deleteDef,
    async ({ user, params }) => {
      requirePermission(user, "category:manage");
      await deleteCategory(user, params.id!);
      return new Response(null, { status: 204 });
    },
    needs("category:manage"),
  ),
);
