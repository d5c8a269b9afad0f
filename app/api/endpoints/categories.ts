import { z } from "zod";
import { categoryInputSchema } from "~/models/community/category.server";
import { endpoint } from "../endpoint.server";

export const categorySchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    supported: z.boolean().describe("true: paid escalation allowed; false: community support only"),
    threadCount: z.number().int(),
    postCount: z.number().int(),
    position: z.number().int(),
  })
  .meta({ id: "Category" });

export const listCategories = endpoint({
  method: "GET",
  path: "/api/v1/categories",
  tag: "community",
  auth: "optional",
  summary: "All categories",
  response: z.array(categorySchema),
});

export const createCategory = endpoint({
  method: "POST",
  path: "/api/v1/categories",
  tag: "admin",
  auth: "required",
  status: 201,
  summary: "Create a category (admins)",
  body: categoryInputSchema,
  response: categorySchema,
  errors: [400, 401, 403, 409],
});

export const updateCategory = endpoint({
  method: "PATCH",
  path: "/api/v1/categories/:id",
  tag: "admin",
  auth: "required",
  summary: "Change a category (admins)",
  body: categoryInputSchema.partial(),
  response: categorySchema,
  errors: [400, 401, 403, 404, 409],
});

export const deleteCategory = endpoint({
  method: "DELETE",
  path: "/api/v1/categories/:id",
  tag: "admin",
  auth: "required",
  status: 204,
  summary: "Delete an empty category (admins)",
  errors: [401, 403, 404, 409],
});
