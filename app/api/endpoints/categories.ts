import { z } from "zod";
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
  })
  .meta({ id: "Category" });

export const listCategories = endpoint({
  method: "GET", path: "/api/v1/categories", tag: "community", auth: "optional",
  summary: "All categories", response: z.array(categorySchema),
});
