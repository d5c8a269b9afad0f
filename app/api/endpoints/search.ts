import { z } from "zod";
import { searchQuerySchema, similarQuerySchema } from "~/models/community/search.server";
import { tagged } from "../endpoint.server";

const searchTag = tagged("search");

const facetValues = z.array(z.object({ value: z.string(), count: z.number().int() }));

export const searchHitSchema = z
  .object({
    threadId: z.string(),
    postId: z.string().describe("The post that matched best: the question, an answer, or the accepted answer"),
    title: z.string().describe("Plain text"),
    titleHtml: z.string().describe("Escaped HTML; matched words in <mark>"),
    snippet: z.string().describe("Escaped HTML excerpt of the post; matched words in <mark>"),
    url: z.string(),
    category: z.object({ slug: z.string(), name: z.string() }),
    tags: z.array(z.string()),
    solved: z.boolean(),
    isAccepted: z.boolean().describe("The matching post is the thread's accepted answer"),
    author: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "SearchHit" });

export const search = searchTag("GET /api/v1/search", {
  auth: "optional",
  summary: "Full-text search over public threads and replies: typo tolerant, prefix on the last word, highlighted, with facets",
  query: searchQuerySchema,
  response: z.object({
    hits: z.array(searchHitSchema).describe("One per thread, best first (or newest first with sort=newest)"),
    facets: z
      .object({ category: facetValues, tag: facetValues, solved: facetValues, author: facetValues })
      .describe("Matching threads per value, with the current filters applied"),
    total: z.number().int().describe("Matching threads"),
    page: z.number().int(),
    perPage: z.number().int(),
    pages: z.number().int(),
    sort: z.enum(["relevance", "newest"]),
  }),
  errors: [429, 503],
});

export const similarThreadSchema = z
  .object({
    threadId: z.string(),
    title: z.string(),
    url: z.string(),
    solved: z.boolean(),
    category: z.object({ slug: z.string(), name: z.string() }),
    replyCount: z.number().int(),
    acceptedAnswer: z
      .object({ postId: z.string(), author: z.string(), excerpt: z.string().describe("First lines, plain text"), url: z.string() })
      .nullable(),
  })
  .meta({ id: "SimilarThread" });

export const similar = searchTag("GET /api/v1/similar", {
  auth: "optional",
  summary: "Up to 5 existing threads close to a draft title, solved ones first, with their accepted answer's first lines",
  query: similarQuerySchema,
  response: z.array(similarThreadSchema),
  errors: [429, 503],
});
