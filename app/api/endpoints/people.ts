import { z } from "zod";
import { inboxQuerySchema, markReadSchema, notificationSettingsSchema } from "~/models/notifications/inbox.server";
import { roleSchema } from "~/models/accounts/user.server";
import { peopleQuerySchema, personChangeSchema } from "~/models/accounts/people.server";
import { tagged } from "../endpoint.server";

const people = tagged("people");

const threadSummary = z.object({
  id: z.string(),
  title: z.string(),
  url: z.string(),
  category: z.object({ slug: z.string(), name: z.string(), supported: z.boolean() }),
  replyCount: z.number().int(),
  score: z.number().int(),
  solved: z.boolean(),
  tags: z.array(z.string()),
  lastPostAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
});

export const profileSchema = z
  .object({
    username: z.string(),
    displayName: z.string().nullable(),
    bio: z.string().nullable(),
    role: roleSchema,
    reputation: z.number().int().describe("From helpful votes and accepted answers"),
    trustLevel: z.number().int().describe("0 new, 1 member, 2 trusted"),
    trustLabel: z.string(),
    createdAt: z.iso.datetime().describe("Joined"),
    counts: z.object({
      threads: z.number().int(),
      replies: z.number().int(),
      acceptedAnswers: z.number().int(),
      helpfulVotes: z.number().int(),
    }),
    recentThreads: z.array(threadSummary),
    recentReplies: z.array(
      z.object({
        id: z.string(),
        threadId: z.string(),
        threadTitle: z.string(),
        url: z.string(),
        excerpt: z.string().describe("Plain text"),
        score: z.number().int(),
        accepted: z.boolean(),
        createdAt: z.iso.datetime(),
      }),
    ),
  })
  .meta({ id: "Profile" });

export const getProfile = people("GET /api/v1/users/:username", {
  auth: "optional",
  summary: "A member's public profile: reputation, trust level, counts and recent visible activity",
  response: profileSchema,
});

const notificationSchema = z
  .object({
    id: z.string(),
    kind: z.string().describe("reply | mention | accepted | ticket | sla_warning | digest"),
    title: z.string(),
    url: z.string().describe("Path of the post or ticket it is about"),
    lane: z.enum(["community", "desk"]),
    readAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "Notification" });

export const listNotifications = people("GET /api/v1/notifications", {
  summary: "Your notifications, newest first (30 a page; pass `nextCursor` as `cursor`)",
  query: inboxQuerySchema,
  response: z.object({
    notifications: z.array(notificationSchema),
    unreadCount: z.number().int(),
    nextCursor: z.string().nullable(),
  }),
});

export const markNotificationsRead = people("POST /api/v1/notifications/read", {
  summary: "Mark notifications read: `{ids: [...]}` or `{all: true}`",
  body: markReadSchema,
  response: z.object({ marked: z.number().int(), unreadCount: z.number().int() }),
});

const settingsResponse = z
  .object({
    email: z.boolean(),
    communityForMaintainer: z.boolean().nullable().describe("null unless you are a maintainer"),
  })
  .meta({ id: "NotificationSettingsState" });

export const getNotificationSettings = people("GET /api/v1/notifications/settings", {
  summary: "Your notification e-mail preferences",
  response: settingsResponse,
});

export const updateNotificationSettings = people("PATCH /api/v1/notifications/settings", {
  summary: "Turn notification e-mails on or off; maintainers can opt in to community notifications",
  body: notificationSettingsSchema,
  response: settingsResponse,
});

const personSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    email: z.string(),
    role: roleSchema,
    suspendedUntil: z.iso.datetime().nullable().describe("Set while the account is suspended"),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "Person" });

export const listPeople = people("GET /api/v1/users", {
  summary: "Find accounts by part of a username or e-mail, newest first, 25 a page (admins)",
  query: peopleQuerySchema,
  response: z.object({
    people: z.array(personSchema),
    query: z.string(),
    page: z.number().int(),
    pages: z.number().int(),
    total: z.number().int(),
  }),
  errors: [403],
});

export const updatePerson = people("PATCH /api/v1/users/:username", {
  summary:
    "Change a member's role, suspend them until a time (with a reason) or lift a suspension (`suspendedUntil: null`); audited (admins, never on themselves: 409)",
  body: personChangeSchema,
  response: personSchema,
  errors: [403, 409],
});
