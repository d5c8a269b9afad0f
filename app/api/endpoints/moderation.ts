import { z } from "zod";
import { auditQuerySchema } from "~/models/moderation/audit.server";
import { dismissSchema, flagPostSchema, flagQueueSchema, FLAG_REASONS } from "~/models/moderation/flag.server";
import { moveThreadSchema, optionalReasonSchema, requiredReasonSchema } from "~/models/moderation/reasons";
import { endpoint, tagged } from "../endpoint.server";

const moderation = tagged("moderation");

const postState = z
  .object({
    id: z.string(),
    threadId: z.string(),
    number: z.number().int(),
    hidden: z.boolean(),
    deleted: z.boolean(),
    changed: z.boolean().describe("false when the post was already in that state"),
  })
  .meta({ id: "PostModerationState" });

const threadState = z
  .object({
    id: z.string(),
    category: z.string().describe("Category slug"),
    hidden: z.boolean(),
    deleted: z.boolean(),
    locked: z.boolean(),
    changed: z.boolean().describe("false when the thread was already in that state"),
  })
  .meta({ id: "ThreadModerationState" });

const flag = z
  .object({ id: z.string(), postId: z.string(), reason: z.enum(FLAG_REASONS), details: z.string().nullable(), createdAt: z.iso.datetime() })
  .meta({ id: "Flag" });

const queueItem = z
  .object({
    post: z.object({
      id: z.string(),
      number: z.number().int(),
      excerpt: z.string(),
      author: z.string(),
      hidden: z.boolean(),
      deleted: z.boolean(),
      createdAt: z.iso.datetime(),
      url: z.string(),
    }),
    thread: z.object({
      id: z.string(),
      title: z.string(),
      url: z.string(),
      hidden: z.boolean(),
      deleted: z.boolean(),
      locked: z.boolean(),
    }),
    reasons: z.record(z.string(), z.number().int()).describe("Flag count per reason"),
    flags: z.array(
      z.object({
        id: z.string(),
        reason: z.string(),
        details: z.string().nullable(),
        reporter: z.string(),
        createdAt: z.iso.datetime(),
        resolvedAt: z.iso.datetime().nullable(),
        resolution: z.string().nullable(),
        resolvedBy: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "FlaggedPost" });

const auditEntry = z
  .object({
    id: z.string(),
    action: z.string().describe("e.g. post.hide, thread.move, flag.dismiss"),
    actor: z.string().nullable().describe("Moderator's username; null for automatic actions"),
    targetType: z.string(),
    targetId: z.string(),
    reason: z.string().nullable(),
    data: z.record(z.string(), z.unknown()).nullable(),
    url: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "AuditEntry" });

const page = { page: z.number().int(), pageSize: z.number().int(), total: z.number().int() };

const modPost = (path: string, summary: string, body: z.ZodType, errors: number[] = [403]) =>
  endpoint({ method: "POST", path, tag: "moderation", auth: "required", summary, body, response: postState, errors });
const modThread = (path: string, summary: string, body: z.ZodType, errors: number[] = [403]) =>
  endpoint({ method: "POST", path, tag: "moderation", auth: "required", summary, body, response: threadState, errors });

export const flagPost = moderation("POST /api/v1/posts/:id/flags", {
  status: 201,
  summary: "Flag a post for the moderators (once per post; not your own)",
  body: flagPostSchema,
  response: flag,
  errors: [403, 409, 429],
});

export const hidePost = modPost(
  "/api/v1/posts/:id/hide",
  "Hide a post (moderators; reason required); resolves its open flags",
  requiredReasonSchema,
);
export const unhidePost = modPost("/api/v1/posts/:id/unhide", "Show a hidden post again (moderators)", optionalReasonSchema);
export const restorePost = modPost("/api/v1/posts/:id/restore", "Undo a post's deletion (moderators)", optionalReasonSchema);

export const deletePost = moderation("DELETE /api/v1/posts/:id", {
  summary:
    "Soft-delete a post: your own (not a question with replies), or any post as a moderator with a reason. Deleting the question deletes its thread.",
  body: optionalReasonSchema,
  response: postState,
  errors: [403, 409],
});

export const lockThread = modThread("/api/v1/threads/:id/lock", "Lock a thread: no more replies (moderators)", optionalReasonSchema);
export const unlockThread = modThread("/api/v1/threads/:id/unlock", "Unlock a thread (moderators)", optionalReasonSchema);
export const hideThread = modThread("/api/v1/threads/:id/hide", "Hide a thread (moderators; reason required)", requiredReasonSchema);
export const unhideThread = modThread("/api/v1/threads/:id/unhide", "Show a hidden thread again (moderators)", optionalReasonSchema);
export const restoreThread = modThread("/api/v1/threads/:id/restore", "Undo a thread's deletion (moderators)", optionalReasonSchema);
export const moveThread = modThread(
  "/api/v1/threads/:id/move",
  "Move a thread to another category (moderators; reason required)",
  moveThreadSchema,
);

export const deleteThread = moderation("DELETE /api/v1/threads/:id", {
  summary: "Soft-delete a thread: your own while nobody has replied, or any thread as a moderator with a reason",
  body: optionalReasonSchema,
  response: threadState,
  errors: [403, 409],
});

export const listFlags = moderation("GET /api/v1/flags", {
  summary: "The moderation queue: flags grouped by post (moderators)",
  query: flagQueueSchema,
  response: z.object({ state: z.enum(["open", "resolved"]), items: z.array(queueItem), ...page }),
  errors: [403],
});

export const dismissFlag = moderation("POST /api/v1/flags/:id/dismiss", {
  summary: "Dismiss a flag: nothing wrong with the post (moderators)",
  body: dismissSchema,
  response: z.object({ id: z.string(), postId: z.string(), resolution: z.literal("dismissed") }),
  errors: [403, 409],
});

export const listAudit = moderation("GET /api/v1/audit", {
  summary: "The audit log of moderator actions, newest first (moderators)",
  query: auditQuerySchema,
  response: z.object({ entries: z.array(auditEntry), ...page }),
  errors: [403],
});
