import { z } from "zod";
import { categoryInputSchema } from "~/models/community/category.server";
import { tagged } from "../endpoint.server";

const admin = tagged("admin");
const community = tagged("community");

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

export const listCategories = community("GET /api/v1/categories", {
  auth: "optional",
  summary: "All categories",
  response: z.array(categorySchema),
});

export const createCategory = admin("POST /api/v1/categories", {
  status: 201,
  summary: "Create a category (admins)",
  body: categoryInputSchema,
  response: categorySchema,
  errors: [403, 409],
});

export const updateCategory = admin("PATCH /api/v1/categories/:id", {
  summary: "Change a category (admins)",
  body: categoryInputSchema.partial(),
  response: categorySchema,
  errors: [403, 409],
});

export const deleteCategory = admin("DELETE /api/v1/categories/:id", {
  status: 204,
  summary: "Delete an empty category (admins)",
  errors: [403, 409],
});
