// Who may do what, for every route of the built app and every API endpoint.
// Keyed by "<METHOD> <Remix route id>"; authorization.test.ts requests each
// entry as each actor against one seeded world and fails on any difference,
// and fails when a route or endpoint has no entry here.
//
// Expected values: an HTTP status, or "login" for a page that sends a visitor
// to the sign-in form (302 to /login?redirectTo=…). Private resources answer
// 404 to everyone who may not see them, so their existence does not leak.

import { gate } from "../helpers/support-world";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";
import { TEST_PASSWORD } from "../helpers/http";

export const ACTORS = ["visitor", "member", "other", "moderator", "maintainer", "admin"] as const;
export type Actor = (typeof ACTORS)[number];
export type Expected = number | "login";

/** Ids in the seeded world, all created over HTTP by the test before it runs the matrix. */
export type World = {
  usernames: Record<Exclude<Actor, "visitor">, string>;
  /** A thread in the supported category owned by `member`, with a reply by `other` and a paid ticket. */
  thread: { id: string; slug: string; questionPostId: string; replyPostId: string };
  /** The member's own reply on `thread` and one by `other`, targets for edits and votes. */
  memberReplyId: string;
  /** Per actor, a post of `member`'s that this actor deletes (own post, or with a moderator's reason). */
  deletablePosts: Record<Actor, string>;
  /** Per actor, a thread of `member`'s without replies that this actor deletes. */
  deletableThreads: Record<Actor, string>;
  ticketId: string;
  escalationId: string;
  /** The member's escalation still at checkout, for the test checkout page. */
  openEscalationId: string;
  insuranceId: string;
  planId: string;
  flagId: string;
  categoryId: string;
  /** A category nobody posted in, for the admin's DELETE. */
  emptyCategoryId: string;
  tag: string;
};

type Body = Record<string, unknown>;
export type Request = {
  path: string;
  /** JSON for the API, form fields for pages. */
  body?: Body;
  form?: Record<string, string>;
  /** Sign in again just for this request: it signs out or replaces the session. */
  fresh?: boolean;
};

export type Entry = {
  /** The request each actor sends; a function of the actor when a successful write needs its own target. */
  request: (w: World, actor: Actor) => Request;
  expect: Record<Actor, Expected>;
  /**
   * An invalid body sent by every actor that is refused (401/403/404 or "login"):
   * the refusal must not depend on the body, so the permission check runs before validation.
   */
  invalid?: Body | Record<string, string>;
  /** Signs the actor out on every device: the actors sign in again afterwards for the entries that follow. */
  endsEverySession?: true;
};

const all = (status: Expected): Record<Actor, Expected> => ({
  visitor: status,
  member: status,
  other: status,
  moderator: status,
  maintainer: status,
  admin: status,
});
const who = (visitor: Expected, member: Expected, other: Expected, moderator: Expected, maintainer: Expected, admin: Expected) => ({
  visitor,
  member,
  other,
  moderator,
  maintainer,
  admin,
});
const signedIn = (visitor: Expected, status: Expected) => who(visitor, status, status, status, status, status);

/** A page for admins only. */
const adminPage = who("login", 403, 403, 403, 403, 200);
/** A page for moderators and admins. */
const modPage = who("login", 403, 403, 200, 403, 200);
/** The maintainer's desk (and admins): it answers 404 to everyone else, as if it did not exist (test/http/desk.test.ts). */
const deskPage = who(404, 404, 404, 404, 200, 200);
/** Staff API calls with a body the permitted actor's call fails validation on: proves the check runs first. */
const modApi = who(401, 403, 403, 400, 403, 400);

const THREAD = (w: World) => `/t/${w.thread.id}/${w.thread.slug}`;
const unique = (actor: Actor, what: string) => `${what}-${actor}-${Math.random().toString(36).slice(2, 8)}`;

export const MATRIX: Record<string, Entry> = {
  // ---- public pages, feeds and files
  "GET root": { request: () => ({ path: "/" }), expect: all(200) },
  "GET routes/_index": { request: () => ({ path: "/" }), expect: all(200) },
  "GET routes/$": { request: () => ({ path: "/no/such/page" }), expect: all(404) },
  "GET routes/latest": { request: () => ({ path: "/latest" }), expect: all(200) },
  "GET routes/latest[.]atom": { request: () => ({ path: "/latest.atom" }), expect: all(200) },
  "GET routes/latest[.]rss": { request: () => ({ path: "/latest.rss" }), expect: all(200) },
  "GET routes/top": { request: () => ({ path: "/top" }), expect: all(200) },
  "GET routes/unanswered": { request: () => ({ path: "/unanswered" }), expect: all(200) },
  "GET routes/search": { request: () => ({ path: "/search?q=webhook" }), expect: all(200) },
  "GET routes/tags._index": { request: () => ({ path: "/tags" }), expect: all(200) },
  "GET routes/support": { request: () => ({ path: "/support" }), expect: all(200) },
  "GET routes/tags.$tag": { request: (w) => ({ path: `/tags/${w.tag}` }), expect: all(200) },
  "GET routes/c.$slug": { request: () => ({ path: "/c/pro" }), expect: all(200) },
  "GET routes/c.$slug.feed[.]atom": { request: () => ({ path: "/c/pro/feed.atom" }), expect: all(200) },
  "GET routes/c.$slug.feed[.]rss": { request: () => ({ path: "/c/pro/feed.rss" }), expect: all(200) },
  "GET routes/t.$id.($slug)": { request: (w) => ({ path: THREAD(w) }), expect: all(200) },
  "GET routes/t.$id.feed[.]atom": { request: (w) => ({ path: `/t/${w.thread.id}/feed.atom` }), expect: all(200) },
  "GET routes/t.$id.feed[.]rss": { request: (w) => ({ path: `/t/${w.thread.id}/feed.rss` }), expect: all(200) },
  "GET routes/u.$username": { request: (w) => ({ path: `/u/${w.usernames.member}` }), expect: all(200) },
  "GET routes/robots[.]txt": { request: () => ({ path: "/robots.txt" }), expect: all(200) },
  "GET routes/sitemap[.]xml": { request: () => ({ path: "/sitemap.xml" }), expect: all(200) },

  // ---- replying, voting and accepting on the thread page
  "POST routes/t.$id.($slug)": {
    request: (w, a) => ({ path: THREAD(w), form: { intent: "reply", body: `A reply from the ${a}, with enough words to pass.` } }),
    expect: signedIn("login", 302),
    invalid: { intent: "reply", body: "" },
  },

  // ---- accounts
  "GET routes/login": { request: () => ({ path: "/login" }), expect: signedIn(200, 302) },
  "POST routes/login": {
    request: (w, a) => ({ path: "/login", form: { email: emailOf(a), password: DEMO_PASSWORD }, fresh: true }),
    // A visitor has no account of its own: a wrong password is a 401 on the form.
    expect: signedIn(401, 302),
  },
  "GET routes/join": { request: () => ({ path: "/join" }), expect: signedIn(200, 302) },
  "POST routes/join": {
    request: (w, a) => ({
      path: "/join",
      form: { username: unique(a, "j").replace(/-/g, "_"), email: `${unique(a, "join")}@example.com`, password: TEST_PASSWORD },
      fresh: true,
    }),
    expect: all(302),
  },
  "GET routes/logout": { request: () => ({ path: "/logout" }), expect: all(302) },
  "POST routes/logout": { request: () => ({ path: "/logout", form: {}, fresh: true }), expect: all(302) },
  "GET routes/forgot-password": { request: () => ({ path: "/forgot-password" }), expect: all(200) },
  "POST routes/forgot-password": {
    request: (w, a) => ({ path: "/forgot-password", form: { email: `${unique(a, "forgot")}@example.com` } }),
    expect: all(200),
  },
  "GET routes/reset-password.$token": { request: () => ({ path: `/reset-password/${"x".repeat(43)}` }), expect: all(200) },
  "POST routes/reset-password.$token": {
    request: () => ({
      path: `/reset-password/${"x".repeat(43)}`,
      form: { password: "a new long passphrase 42", confirm: "a new long passphrase 42" },
    }),
    expect: all(400),
  },
  "GET routes/unsubscribe.$key": { request: () => ({ path: `/unsubscribe/${"k".repeat(32)}` }), expect: all(404) },
  "POST routes/unsubscribe.$key": { request: () => ({ path: `/unsubscribe/${"k".repeat(32)}`, form: {} }), expect: all(404) },
  "GET routes/settings": { request: () => ({ path: "/settings" }), expect: signedIn("login", 200) },
  "POST routes/settings": {
    request: (w, a) => ({ path: "/settings", form: { intent: "create-token", name: unique(a, "cli") } }),
    expect: signedIn("login", 200),
  },
  "GET routes/notifications": { request: () => ({ path: "/notifications" }), expect: signedIn("login", 200) },
  "POST routes/notifications": {
    request: () => ({ path: "/notifications", form: { intent: "read-all" } }),
    expect: signedIn("login", 200),
  },

  // ---- writing
  "GET routes/new": { request: () => ({ path: "/new" }), expect: signedIn("login", 200) },
  "POST routes/new": {
    request: (w, a) => ({
      path: "/new",
      form: {
        category: "pro",
        title: `A new question from the ${a} about webhooks`,
        body: "Webhooks fail after the upgrade; what changed?",
        tags: "",
      },
    }),
    expect: signedIn("login", 302),
    invalid: { category: "pro", title: "", body: "" },
  },
  "GET routes/posts.$id.edit": {
    request: (w) => ({ path: `/posts/${w.memberReplyId}/edit` }),
    expect: who("login", 200, 403, 200, 403, 200),
  },
  "POST routes/posts.$id.edit": {
    request: (w, a) => ({
      path: `/posts/${w.memberReplyId}/edit`,
      form: { body: `Edited by the ${a}: mount the route before the parser.`, reason: "clarity" },
    }),
    expect: who("login", 302, 403, 302, 403, 302),
    invalid: { body: "" },
  },
  "GET routes/posts.$id.revisions": {
    request: (w) => ({ path: `/posts/${w.memberReplyId}/revisions` }),
    expect: who("login", 200, 403, 200, 403, 200),
  },

  // ---- moderation
  "GET routes/mod": { request: () => ({ path: "/mod" }), expect: modPage },
  "GET routes/mod._index": { request: () => ({ path: "/mod" }), expect: modPage },
  "GET routes/mod.audit": { request: () => ({ path: "/mod/audit" }), expect: modPage },
  "POST routes/mod.actions": {
    // The moderator locks the thread and the admin unlocks it again: both land back on the queue.
    request: (w, a) => ({
      path: "/mod/actions",
      form: { intent: a === "admin" ? "unlock-thread" : "lock-thread", id: w.thread.id, reason: "cooling down" },
    }),
    expect: who("login", 403, 403, 302, 403, 302),
  },

  // ---- the paid lane
  "GET routes/escalate.$threadId": {
    // Back from a paid checkout the owner goes straight to the ticket; anyone else replaying the URL sees only their own gate.
    request: (w) => ({ path: `/escalate/${w.thread.id}?escalation=${w.escalationId}&checkout=success` }),
    expect: who("login", 302, 200, 200, 200, 200),
  },
  "POST routes/escalate.$threadId": {
    // The owner already has a ticket for this thread; anyone else is sent to the checkout.
    request: (w) => ({ path: `/escalate/${w.thread.id}`, form: { ...GATE_FORM } }),
    expect: who("login", 409, 302, 302, 302, 302),
  },
  "GET routes/test-checkout.$escalationId": {
    request: (w) => ({ path: `/test-checkout/${w.openEscalationId}` }),
    expect: who("login", 200, 404, 404, 404, 404),
  },
  "POST routes/test-checkout.$escalationId": {
    request: (w) => ({ path: `/test-checkout/${w.openEscalationId}`, form: { intent: "decline" } }),
    expect: who("login", 302, 404, 404, 404, 404),
  },
  "GET routes/insurance": { request: () => ({ path: "/insurance" }), expect: signedIn("login", 200) },
  "POST routes/insurance": {
    request: (w) => ({ path: "/insurance", form: { intent: "buy", planId: w.planId } }),
    expect: signedIn("login", 302),
  },
  "GET routes/test-checkout.insurance.$insuranceId": {
    request: (w) => ({ path: `/test-checkout/insurance/${w.insuranceId}` }),
    expect: who("login", 200, 404, 404, 404, 404),
  },
  "POST routes/test-checkout.insurance.$insuranceId": {
    request: (w) => ({ path: `/test-checkout/insurance/${w.insuranceId}`, form: { intent: "decline" } }),
    expect: who("login", 302, 404, 404, 404, 404),
  },
  "GET routes/tickets._index": { request: () => ({ path: "/tickets" }), expect: signedIn("login", 200) },
  "GET routes/tickets.$id": { request: (w) => ({ path: `/tickets/${w.ticketId}` }), expect: who("login", 200, 404, 404, 200, 200) },
  "POST routes/tickets.$id": {
    // The owner replies; the desk writes internal notes (a reply waits for acceptance).
    request: (w, a) => ({
      path: `/tickets/${w.ticketId}`,
      form: { intent: a === "member" ? "reply" : "note", body: `A message from the ${a}.` },
    }),
    expect: who("login", 200, 404, 404, 200, 200),
    invalid: { intent: "note", body: "" },
  },
  "GET routes/desk._index": { request: () => ({ path: "/desk" }), expect: deskPage },
  "GET routes/desk.numbers": { request: () => ({ path: "/desk/numbers" }), expect: deskPage },
  "GET routes/desk.numbers[.]csv": { request: () => ({ path: "/desk/numbers.csv" }), expect: deskPage },
  "GET routes/desk.availability": { request: () => ({ path: "/desk/availability" }), expect: deskPage },
  "POST routes/desk.availability": {
    request: () => ({ path: "/desk/availability", form: { maxOpenTickets: "many" } }),
    expect: who(404, 404, 404, 404, 400, 400),
  },
  // Live updates (docs/decisions/049): a visible thread's stream for everyone, the queue's for the desk.
  "GET routes/live.threads.$id": { request: (w) => ({ path: `/live/threads/${w.thread.id}` }), expect: all(200) },
  "GET routes/live.desk": { request: () => ({ path: "/live/desk" }), expect: deskPage },
  // Test mode has no Stripe: the endpoint does not exist for anyone.
  "POST routes/webhooks.stripe": { request: () => ({ path: "/webhooks/stripe", body: { id: "evt_1" } }), expect: all(404) },

  // ---- administration
  "GET routes/admin._index": { request: () => ({ path: "/admin" }), expect: adminPage },
  "GET routes/admin.categories": { request: () => ({ path: "/admin/categories" }), expect: adminPage },
  "GET routes/admin.people": { request: () => ({ path: "/admin/people?q=a" }), expect: adminPage },
  "POST routes/admin.people": {
    request: (w) => ({ path: "/admin/people", form: { intent: "role", username: w.usernames.other, role: "member" } }),
    expect: who("login", 403, 403, 403, 403, 200),
    invalid: { intent: "bogus" },
  },
  "POST routes/admin.categories": {
    request: (w, a) => ({ path: "/admin/categories", form: { intent: "create", slug: unique(a, "cat"), name: "A new category" } }),
    expect: who("login", 403, 403, 403, 403, 200),
    invalid: { intent: "bogus" },
  },
  "GET routes/admin.tiers": { request: () => ({ path: "/admin/tiers" }), expect: adminPage },
  "POST routes/admin.tiers": {
    request: (w, a) => ({
      path: "/admin/tiers",
      form: {
        intent: "create",
        slug: unique(a, "tier"),
        name: "Urgent",
        responseHours: "4",
        priceCents: "49900",
        currency: "usd",
        position: "3",
      },
    }),
    expect: who("login", 403, 403, 403, 403, 200),
    invalid: { intent: "bogus" },
  },
  "GET routes/admin.macros": { request: () => ({ path: "/admin/macros" }), expect: adminPage },
  "POST routes/admin.macros": {
    request: (w, a) => ({
      path: "/admin/macros",
      form: { intent: "create", name: unique(a, "macro"), body: "Thanks {{username}}, we are on it." },
    }),
    expect: who("login", 403, 403, 403, 403, 200),
    invalid: { intent: "bogus" },
  },
  "GET routes/admin.insurance": { request: () => ({ path: "/admin/insurance" }), expect: adminPage },
  "POST routes/admin.insurance": {
    request: (w, a) => ({
      path: "/admin/insurance",
      form: { intent: "create", name: unique(a, "plan"), priceCents: "9900", coverageCents: "20000", currency: "usd", active: "on" },
    }),
    expect: who("login", 403, 403, 403, 403, 200),
    invalid: { intent: "bogus" },
  },

  // ---- the JSON API (docs/product.md §7): unknown paths
  "GET routes/api.$": { request: () => ({ path: "/api/v1/no-such-endpoint" }), expect: all(404) },
  "POST routes/api.$": { request: () => ({ path: "/api/v1/no-such-endpoint", body: {} }), expect: all(404) },
  "GET routes/api.v1.openapi[.]json": { request: () => ({ path: "/api/v1/openapi.json" }), expect: all(200) },

  // accounts
  "POST routes/api.v1.users": {
    // Only the visitor signs up for real: sign-ups are limited per address.
    request: (w, a) => ({
      path: "/api/v1/users",
      body:
        a === "visitor"
          ? { username: unique(a, "api").replace(/-/g, "_"), email: `${unique(a, "api")}@example.com`, password: TEST_PASSWORD }
          : { username: "" },
    }),
    expect: signedIn(201, 400),
  },
  "POST routes/api.v1.session": {
    request: (w, a) => ({ path: "/api/v1/session", body: { email: emailOf(a), password: DEMO_PASSWORD }, fresh: true }),
    expect: signedIn(401, 200),
  },
  "DELETE routes/api.v1.session": { request: () => ({ path: "/api/v1/session", fresh: true }), expect: all(204) },
  "DELETE routes/api.v1.sessions": {
    request: () => ({ path: "/api/v1/sessions", fresh: true }),
    expect: signedIn(401, 204),
    endsEverySession: true,
  },
  "GET routes/api.v1.me": { request: () => ({ path: "/api/v1/me" }), expect: signedIn(401, 200) },
  "POST routes/api.v1.tokens": {
    request: (w, a) => ({ path: "/api/v1/tokens", body: { name: unique(a, "token") } }),
    expect: signedIn(401, 201),
    invalid: { name: 5 },
  },
  "POST routes/api.v1.password-resets": {
    request: (w, a) => ({ path: "/api/v1/password-resets", body: { email: `${unique(a, "reset")}@example.com` } }),
    expect: all(202),
  },

  // community
  "GET routes/api.v1.categories": { request: () => ({ path: "/api/v1/categories" }), expect: all(200) },
  "POST routes/api.v1.categories": {
    request: (w, a) => ({ path: "/api/v1/categories", body: { slug: unique(a, "api-cat"), name: "From the API" } }),
    expect: who(401, 403, 403, 403, 403, 201),
    invalid: { slug: "!" },
  },
  "PATCH routes/api.v1.categories.$id": {
    request: (w) => ({ path: `/api/v1/categories/${w.categoryId}`, body: { slug: "pro", name: "Backline Pro", supported: true } }),
    expect: who(401, 403, 403, 403, 403, 200),
    invalid: { slug: "!" },
  },
  "DELETE routes/api.v1.categories.$id": {
    request: (w) => ({ path: `/api/v1/categories/${w.emptyCategoryId}` }),
    expect: who(401, 403, 403, 403, 403, 204),
  },
  "GET routes/api.v1.threads": { request: () => ({ path: "/api/v1/threads?category=pro" }), expect: all(200) },
  "POST routes/api.v1.threads": {
    request: (w, a) => ({
      path: "/api/v1/threads",
      body: {
        category: "pro",
        title: `An API question from the ${a} about webhooks`,
        body: "Webhooks fail after the upgrade; what changed?",
      },
    }),
    expect: signedIn(401, 201),
    invalid: { title: 5 },
  },
  "GET routes/api.v1.threads.$id": { request: (w) => ({ path: `/api/v1/threads/${w.thread.id}` }), expect: all(200) },
  "DELETE routes/api.v1.threads.$id": {
    // The owner deletes its own unanswered thread; moderators delete with a reason.
    request: (w, a) => ({
      path: `/api/v1/threads/${w.deletableThreads[a]}`,
      body: a === "member" ? {} : { reason: "Duplicate of another thread." },
    }),
    expect: who(401, 200, 403, 200, 403, 200),
    invalid: { reason: 5 },
  },
  "POST routes/api.v1.threads.$id.posts": {
    request: (w, a) => ({ path: `/api/v1/threads/${w.thread.id}/posts`, body: { body: `An API reply from the ${a}.` } }),
    expect: signedIn(401, 201),
  },
  "PATCH routes/api.v1.posts.$id": {
    request: (w, a) => ({ path: `/api/v1/posts/${w.memberReplyId}`, body: { body: `Edited over the API by the ${a}.`, reason: "typo" } }),
    expect: who(401, 200, 403, 200, 403, 200),
    invalid: { body: 5 },
  },
  "DELETE routes/api.v1.posts.$id": {
    request: (w, a) => ({
      path: `/api/v1/posts/${w.deletablePosts[a]}`,
      body: a === "member" ? {} : { reason: "Off topic for this thread." },
    }),
    expect: who(401, 200, 403, 200, 403, 200),
    invalid: { reason: 5 },
  },
  "GET routes/api.v1.posts.$id.revisions": {
    request: (w) => ({ path: `/api/v1/posts/${w.memberReplyId}/revisions` }),
    expect: who(401, 200, 403, 200, 403, 200),
  },
  // Undoing before doing: nothing to undo answers 200 (`undone: false`) to whoever may undo, and the
  // world keeps the accepted answer and the votes that the entries after these make.
  "DELETE routes/api.v1.posts.$id.accept": {
    request: (w) => ({ path: `/api/v1/posts/${w.thread.replyPostId}/accept` }),
    expect: who(401, 200, 403, 200, 403, 200),
  },
  "DELETE routes/api.v1.posts.$id.votes": {
    request: (w, a) => ({ path: `/api/v1/posts/${a === "other" ? w.thread.questionPostId : w.thread.replyPostId}/votes` }),
    expect: signedIn(401, 200),
  },
  "POST routes/api.v1.previews": {
    request: () => ({ path: "/api/v1/previews", body: { body: "A **preview** of a reply." } }),
    expect: signedIn(401, 200),
    invalid: { body: 5 },
  },
  "POST routes/api.v1.posts.$id.accept": {
    request: (w) => ({ path: `/api/v1/posts/${w.thread.replyPostId}/accept`, body: {} }),
    expect: who(401, 200, 403, 200, 403, 200),
  },
  "POST routes/api.v1.posts.$id.votes": {
    // Everyone votes for a post that is not their own.
    request: (w, a) => ({ path: `/api/v1/posts/${a === "other" ? w.thread.questionPostId : w.thread.replyPostId}/votes`, body: {} }),
    expect: signedIn(401, 200),
  },
  "GET routes/api.v1.users.$username": { request: (w) => ({ path: `/api/v1/users/${w.usernames.member}` }), expect: all(200) },
  "GET routes/api.v1.users": { request: () => ({ path: "/api/v1/users?q=a" }), expect: who(401, 403, 403, 403, 403, 200) },
  "PATCH routes/api.v1.users.$username": {
    request: (w) => ({ path: `/api/v1/users/${w.usernames.other}`, body: { role: "member" } }),
    expect: who(401, 403, 403, 403, 403, 200),
    invalid: { role: "owner" },
  },
  "GET routes/api.v1.search": { request: () => ({ path: "/api/v1/search?q=webhook" }), expect: all(200) },
  "GET routes/api.v1.similar": { request: () => ({ path: "/api/v1/similar?title=webhook%20signature%20fails" }), expect: all(200) },

  // moderation
  "POST routes/api.v1.posts.$id.flags": {
    request: (w, a) => ({
      path: `/api/v1/posts/${a === "member" ? w.thread.replyPostId : w.thread.questionPostId}/flags`,
      body: { reason: "off-topic" },
    }),
    expect: signedIn(401, 201),
  },
  // State changes of moderators: the permitted actor's invalid reason is a 400, everyone else's a 401/403.
  "POST routes/api.v1.posts.$id.hide": {
    request: (w) => ({ path: `/api/v1/posts/${w.memberReplyId}/hide`, body: { reason: 5 } }),
    expect: modApi,
  },
  "POST routes/api.v1.posts.$id.unhide": {
    request: (w) => ({ path: `/api/v1/posts/${w.memberReplyId}/unhide`, body: { reason: 5 } }),
    expect: modApi,
  },
  "POST routes/api.v1.posts.$id.restore": {
    request: (w) => ({ path: `/api/v1/posts/${w.memberReplyId}/restore`, body: { reason: 5 } }),
    expect: modApi,
  },
  "POST routes/api.v1.threads.$id.lock": {
    request: (w) => ({ path: `/api/v1/threads/${w.thread.id}/lock`, body: { reason: 5 } }),
    expect: modApi,
  },
  "POST routes/api.v1.threads.$id.unlock": {
    request: (w) => ({ path: `/api/v1/threads/${w.thread.id}/unlock`, body: { reason: 5 } }),
    expect: modApi,
  },
  "POST routes/api.v1.threads.$id.hide": {
    request: (w) => ({ path: `/api/v1/threads/${w.thread.id}/hide`, body: { reason: 5 } }),
    expect: modApi,
  },
  "POST routes/api.v1.threads.$id.unhide": {
    request: (w) => ({ path: `/api/v1/threads/${w.thread.id}/unhide`, body: { reason: 5 } }),
    expect: modApi,
  },
  "POST routes/api.v1.threads.$id.restore": {
    request: (w) => ({ path: `/api/v1/threads/${w.thread.id}/restore`, body: { reason: 5 } }),
    expect: modApi,
  },
  "POST routes/api.v1.threads.$id.move": {
    request: (w) => ({ path: `/api/v1/threads/${w.thread.id}/move`, body: { category: "" } }),
    expect: modApi,
  },
  "GET routes/api.v1.flags": { request: () => ({ path: "/api/v1/flags" }), expect: who(401, 403, 403, 200, 403, 200) },
  "POST routes/api.v1.flags.$id.dismiss": {
    request: (w) => ({ path: `/api/v1/flags/${w.flagId}/dismiss`, body: { reason: 5 } }),
    expect: modApi,
  },
  "GET routes/api.v1.audit": { request: () => ({ path: "/api/v1/audit" }), expect: who(401, 403, 403, 200, 403, 200) },

  // people
  "GET routes/api.v1.notifications": { request: () => ({ path: "/api/v1/notifications" }), expect: signedIn(401, 200) },
  "POST routes/api.v1.notifications.read": {
    request: () => ({ path: "/api/v1/notifications/read", body: { all: true } }),
    expect: signedIn(401, 200),
  },
  "GET routes/api.v1.notifications.settings": { request: () => ({ path: "/api/v1/notifications/settings" }), expect: signedIn(401, 200) },
  "PATCH routes/api.v1.notifications.settings": {
    request: () => ({ path: "/api/v1/notifications/settings", body: { email: true } }),
    expect: signedIn(401, 200),
  },

  // support
  "GET routes/api.v1.tiers": { request: () => ({ path: "/api/v1/tiers" }), expect: all(200) },
  "POST routes/api.v1.threads.$id.escalations": {
    request: (w) => ({ path: `/api/v1/threads/${w.thread.id}/escalations`, body: { ...GATE } }),
    expect: who(401, 409, 201, 201, 201, 201),
  },
  "GET routes/api.v1.tickets": { request: () => ({ path: "/api/v1/tickets" }), expect: signedIn(401, 200) },
  "GET routes/api.v1.tickets.$id": {
    request: (w) => ({ path: `/api/v1/tickets/${w.ticketId}` }),
    expect: who(401, 200, 404, 404, 200, 200),
  },
  "POST routes/api.v1.tickets.$id.messages": {
    request: (w, a) => ({
      path: `/api/v1/tickets/${w.ticketId}/messages`,
      body: { body: `An API message from the ${a}.`, internal: a !== "member" },
    }),
    expect: who(401, 201, 404, 404, 201, 201),
    invalid: { body: "" },
  },
  // Decisions would move the shared ticket on: the desk's invalid input is a 400, the owner's a 403, strangers' a 404.
  "POST routes/api.v1.tickets.$id.accept": {
    request: (w) => ({ path: `/api/v1/tickets/${w.ticketId}/accept`, body: { message: 5 } }),
    expect: who(401, 403, 404, 404, 400, 400),
  },
  "POST routes/api.v1.tickets.$id.reject": {
    request: (w) => ({ path: `/api/v1/tickets/${w.ticketId}/reject`, body: { reason: "rude" } }),
    expect: who(401, 403, 404, 404, 400, 400),
  },
  "POST routes/api.v1.tickets.$id.request-info": {
    request: (w) => ({ path: `/api/v1/tickets/${w.ticketId}/request-info`, body: { message: "" } }),
    expect: who(401, 403, 404, 404, 400, 400),
  },
  // Withdrawing is the owner's: an invalid body is their 400, the desk's a 403, strangers' a 404.
  "POST routes/api.v1.tickets.$id.withdraw": {
    request: (w) => ({ path: `/api/v1/tickets/${w.ticketId}/withdraw`, body: { reason: 5 } }),
    expect: who(401, 400, 404, 404, 403, 403),
  },
  "POST routes/api.v1.tickets.$id.refund": {
    request: (w) => ({ path: `/api/v1/tickets/${w.ticketId}/refund`, body: { amountCents: -5, reason: "" } }),
    expect: who(401, 403, 404, 404, 400, 400),
  },
  "POST routes/api.v1.tickets.$id.resolve": {
    request: (w) => ({ path: `/api/v1/tickets/${w.ticketId}/resolve`, body: { message: 5 } }),
    expect: who(401, 403, 404, 404, 400, 400),
  },

  // desk
  "GET routes/api.v1.desk.queue": { request: () => ({ path: "/api/v1/desk/queue" }), expect: who(401, 404, 404, 404, 200, 200) },
  "GET routes/api.v1.insurance": { request: () => ({ path: "/api/v1/insurance" }), expect: signedIn(401, 200) },
  // Nobody in this world holds a plan that renews: the decision is refused as a conflict, never as a permission.
  "PUT routes/api.v1.insurance.renewal": {
    request: () => ({ path: "/api/v1/insurance/renewal", body: { renew: false } }),
    expect: signedIn(401, 409),
    invalid: { renew: "maybe" },
  },

  // availability (docs/decisions/045): intake is open in this world, so a reopen request is a 409
  "GET routes/api.v1.support.status": { request: () => ({ path: "/api/v1/support/status" }), expect: all(200) },
  "GET routes/api.v1.support.availability": {
    request: () => ({ path: "/api/v1/support/availability" }),
    expect: who(401, 403, 403, 403, 200, 200),
  },
  "PUT routes/api.v1.support.availability": {
    request: () => ({ path: "/api/v1/support/availability", body: { maxOpenTickets: "many", absences: [] } }),
    expect: who(401, 403, 403, 403, 400, 400),
  },
  "POST routes/api.v1.support.reopen-requests": {
    request: () => ({ path: "/api/v1/support/reopen-requests" }),
    expect: signedIn(401, 409),
  },
};

// The seeded demo accounts (prisma/seed-data.server.ts).
export const EMAILS: Record<Exclude<Actor, "visitor">, string> = {
  member: "member@backline.local",
  other: "member2@backline.local",
  moderator: "moderator@backline.local",
  maintainer: "maintainer@backline.local",
  admin: "admin@backline.local",
};
/** A visitor "signs in" with an address nobody registered. */
export const emailOf = (a: Actor) => (a === "visitor" ? "nobody@example.com" : EMAILS[a]);

export const GATE = gate();
const GATE_FORM: Record<string, string> = { ...GATE, acceptScope: "on", payWith: "card" } as Record<string, string>;
