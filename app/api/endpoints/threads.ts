import { z } from "zod";
import { editPostSchema, replySchema } from "~/models/community/post.server";
import { previewSchema } from "~/models/community/preview.server";
import { createThreadSchema, listThreadsSchema } from "~/models/community/thread.server";
import { tagged } from "../endpoint.server";

const community = tagged("community");

const threadSummary = z
  .object({
    id: z.string(),
    title: z.string(),
    slug: z.string(),
    url: z.string(),
    category: z.object({ slug: z.string(), name: z.string(), supported: z.boolean() }),
    author: z.string(),
    replyCount: z.number().int(),
    score: z.number().int(),
    solved: z.boolean(),
    locked: z.boolean(),
    tags: z.array(z.string()),
    lastPostAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
    escalated: z.boolean(),
    resolvedViaSupport: z.boolean(),
  })
  .meta({ id: "ThreadSummary" });

export const postSchema = z
  .object({
    id: z.string(),
    number: z.number().int().describe("0 is the question"),
    author: z.string(),
    body: z.string().describe("Markdown source"),
    bodyHtml: z.string().describe("Sanitized HTML rendered on write"),
    score: z.number().int(),
    createdAt: z.iso.datetime(),
    editedAt: z.iso.datetime().nullable(),
    hidden: z.boolean(),
    deleted: z.boolean(),
  })
  .meta({ id: "Post" });

export const listThreads = community("GET /api/v1/threads", {
  auth: "optional",
  summary: "Threads, newest activity first; filter by category, tag, solved; sort latest | top | unanswered",
  query: listThreadsSchema,
  response: z.object({
    threads: z.array(threadSummary),
    page: z.number().int(),
    total: z.number().int(),
    pageSize: z.number().int(),
    nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page (keyset; fast at any depth)"),
  }),
});

export const createThread = community("POST /api/v1/threads", {
  status: 201,
  summary: "Ask a question in a category",
  body: createThreadSchema,
  response: z.object({
    id: z.string(),
    slug: z.string(),
    title: z.string(),
    url: z.string(),
    postId: z.string(),
    createdAt: z.iso.datetime(),
  }),
  errors: [403, 429],
});

export const getThread = community("GET /api/v1/threads/:id", {
  auth: "optional",
  summary: "A thread with one page of posts (`page`, 20 posts each)",
  query: z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1) }),
  response: threadSummary.extend({
    posts: z.array(postSchema),
    acceptedPostId: z.string().nullable(),
    acceptedPost: postSchema.nullable(),
    page: z.number().int(),
    pages: z.number().int(),
  }),
});

export const createPost = community("POST /api/v1/threads/:id/posts", {
  status: 201,
  summary: "Reply to a thread (409 when the thread is locked)",
  body: replySchema,
  response: z.object({
    id: z.string(),
    threadId: z.string(),
    number: z.number().int(),
    author: z.string(),
    body: z.string(),
    bodyHtml: z.string(),
    createdAt: z.iso.datetime(),
    url: z.string(),
  }),
  errors: [409, 429],
});

export const editPost = community("PATCH /api/v1/posts/:id", {
  summary: "Edit a post; the previous version is kept as a revision",
  body: editPostSchema,
  response: z.object({
    id: z.string(),
    threadId: z.string(),
    number: z.number().int(),
    body: z.string(),
    bodyHtml: z.string(),
    editedAt: z.iso.datetime().nullable(),
  }),
  errors: [403, 409, 429],
});

export const listRevisions = community("GET /api/v1/posts/:id/revisions", {
  summary: "Earlier versions of a post (author and moderators)",
  response: z.object({
    revisions: z.array(
      z.object({
        id: z.string(),
        body: z.string(),
        title: z.string().nullable(),
        reason: z.string().nullable(),
        editor: z.string(),
        createdAt: z.iso.datetime(),
      }),
    ),
  }),
  errors: [403],
});

export const acceptPost = community("POST /api/v1/posts/:id/accept", {
  summary: "Accept a reply as the thread's answer (thread author or moderator); concurrent accepts apply in turn, the last wins",
  response: z.object({
    threadId: z.string(),
    acceptedPostId: z.string(),
    // What this accept replaced: null on the first accept, the post itself on a repeat.
    previousAcceptedPostId: z.string().nullable(),
  }),
  errors: [403, 409],
});

export const votePost = community("POST /api/v1/posts/:id/votes", {
  summary: "Mark a post helpful (once per member; not your own)",
  response: z.object({ postId: z.string(), score: z.number().int(), voted: z.boolean() }),
  errors: [403, 409, 429],
});

export const unacceptPost = community("DELETE /api/v1/posts/:id/accept", {
  summary:
    "Take back the acceptance of this reply (thread author or moderator): the thread is unsolved again. `undone: false` when it was not the accepted answer (nothing changes)",
  response: z.object({
    threadId: z.string(),
    // Another reply's acceptance stays when this one was not the accepted answer.
    acceptedPostId: z.string().nullable(),
    undone: z.boolean(),
  }),
  errors: [403],
});

export const unvotePost = community("DELETE /api/v1/posts/:id/votes", {
  summary: "Take back your helpful vote (`undone: false` when you had not voted; nothing changes)",
  response: z.object({ postId: z.string(), score: z.number().int(), voted: z.boolean(), undone: z.boolean() }),
  errors: [403, 429],
});

export const previewPost = community("POST /api/v1/previews", {
  summary:
    "Render Markdown exactly as a post or reply would be stored (same renderer, sanitizer and trust rules; 400 for a link or image your trust level cannot post yet); 60 a minute",
  body: previewSchema,
  response: z.object({ html: z.string().describe("Sanitized HTML, as `bodyHtml` of a post with this body") }),
  errors: [429],
});
