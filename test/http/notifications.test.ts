import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { readMailbox } from "../helpers/mailbox";
import { until } from "../helpers/wait";

// A member hears about replies in the app and by (batched) e-mail, and can
// switch the e-mail off from the message itself.
const ADA = "member@backline.local";
const dataDir = mkdtempSync(path.join(os.tmpdir(), "backline-notify-http-"));
const mailbox = path.join(dataDir, "mailbox");
let server: TestServer;
let ada: Client;
let grace: Client;
let threadId: string;

const reply = async (body: string) => expect((await grace.post(`/api/v1/threads/${threadId}/posts`, { body })).status).toBe(201);
const inbox = async () => (await ada.get("/api/v1/notifications")).json();

const mailsTo = (address: string) => readMailbox(mailbox, address);

/** Waits until a run of the e-mail sweep that began after a notification made at `createdAt` was due (the batching delay, 1 s) has finished. */
async function sweptAfter(createdAt: string) {
  const due = new Date(new Date(createdAt).getTime() + 1000).toISOString();
  const db = new pg.Client({ connectionString: server.databaseUrl() });
  await db.connect();
  try {
    await until("an e-mail sweep after the reply was due", async () => {
      const { rows } = await db.query(
        `select 1 from "Job" where queue = 'notification-mail' and state = 'done' and "runAt" >= $1::timestamp limit 1`,
        [due],
      );
      return rows.length > 0;
    });
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  server = await startServer({ seed: true, env: { DATA_DIR: dataDir, NOTIFICATION_EMAIL_DELAY_SECONDS: "1" } });
  [ada, grace] = await Promise.all([signIn(server, ADA), signIn(server, "member2@backline.local")]);
  const res = await ada.post("/api/v1/threads", {
    category: "community",
    title: "Backups stop after the nightly update",
    body: "Since last night the scheduled backup never starts. Where should I look?",
  });
  expect(res.status).toBe(201);
  threadId = (await res.json()).id;
});
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("notifications in the app", () => {
  it("refuses signed-out callers with 401", async () => {
    const anon = new Client(server.url);
    for (const res of [
      await anon.get("/api/v1/notifications"),
      await anon.post("/api/v1/notifications/read", { all: true }),
      await anon.get("/api/v1/notifications/settings"),
    ]) {
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
    }
    const page = await anon.get("/notifications");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toMatch(/^\/login\?redirectTo=%2Fnotifications/);
  });

  it("shows a reply with an unread badge in the header, and marks it read through the API", async () => {
    await reply("Check the scheduler log; the update renamed the backup job.");
    const list = await inbox();
    expect(list.unreadCount).toBe(1);
    expect(list.notifications[0]).toMatchObject({
      kind: "reply",
      lane: "community",
      readAt: null,
      url: expect.stringMatching(new RegExp(`^/t/${threadId}/`)),
    });
    expect(list.notifications[0].title).toContain("grace replied to “Backups stop after the nightly update”");

    const home = await (await ada.get("/")).text();
    expect(home).toContain('aria-label="Notifications, 1 unread"');
    expect(home).toMatch(/<span class="badge unread-count">1<\/span>/);
    const page = await (await ada.get("/notifications")).text();
    expect(page).toContain("grace replied to “Backups stop after the nightly update”");
    expect(page).toContain("Mark read");

    const bad = await ada.post("/api/v1/notifications/read", {});
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields).toBeDefined();
    expect((await ada.post("/api/v1/notifications/read", { ids: "nope" })).status).toBe(400);

    const marked = await ada.post("/api/v1/notifications/read", { ids: [list.notifications[0].id] });
    expect(await marked.json()).toEqual({ marked: 1, unreadCount: 0 });
    expect(await (await ada.get("/")).text()).not.toContain("unread-count");
  });

  it("marks everything read from the notifications page", async () => {
    await reply("Also make sure the backup disk is still mounted after the update.");
    expect((await inbox()).unreadCount).toBe(1);
    const res = await ada.request("POST", "/notifications", { form: { intent: "read-all" }, headers: { Origin: server.url } });
    expect(res.status).toBe(200);
    expect((await inbox()).unreadCount).toBe(0);
    expect((await ada.get("/api/v1/notifications?unread=true").then((r) => r.json())).notifications).toEqual([]);
    expect((await ada.get("/api/v1/notifications?cursor=bogus")).status).toBe(400);
  });
});

describe("notification e-mail", () => {
  it("sends a batched e-mail with an unsubscribe link that works without signing in", async () => {
    await reply("Here is one more idea: run the backup by hand once and read its output.");
    const mail = await until("the notification e-mail", () =>
      mailsTo(ADA).find((m) => m.includes("run the backup") || m.includes("Backups stop after")),
    );
    expect(mail).toMatch(/^Subject: \[Backline\] (grace replied to “Backups stop after the nightly update”|\d+ new notifications)$/m);
    expect(mail).toContain("Backups stop after the nightly update");
    const header = mail.match(/^List-Unsubscribe: <([^>]+)>$/m);
    expect(header).not.toBeNull();
    expect(mail).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    const unsubscribe = new URL(header![1]!);
    expect(unsubscribe.pathname).toMatch(/^\/unsubscribe\/[\w-]{43}$/);

    // Opening the link does not unsubscribe (mail scanners open links); the one button does.
    const anon = new Client(server.url);
    const landing = await anon.get(unsubscribe.pathname);
    expect(landing.status).toBe(200);
    const landingHtml = await landing.text();
    expect(landingHtml).toContain("Stop notification e-mails for <strong>ada</strong>?");
    expect((await (await ada.get("/api/v1/notifications/settings")).json()).email).toBe(true);

    const done = await anon.request("POST", unsubscribe.pathname, { form: { intent: "unsubscribe" }, headers: { Origin: server.url } });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("You are unsubscribed");
    expect(await (await ada.get("/api/v1/notifications/settings")).json()).toEqual({ email: false, communityForMaintainer: null });

    // No more e-mail while opted out: once a sweep that found the reply due has finished, still nothing came.
    const count = mailsTo(ADA).length;
    await reply("Did the manual run print any errors at all?");
    await sweptAfter((await inbox()).notifications[0].createdAt);
    expect(mailsTo(ADA)).toHaveLength(count);

    // Back on through the API, then off again with a mail client's RFC 8058 one-click POST.
    const on = await ada.request("PATCH", "/api/v1/notifications/settings", { json: { email: true } });
    expect(await on.json()).toEqual({ email: true, communityForMaintainer: null });
    const oneClick = await fetch(`${server.url}${unsubscribe.pathname}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.status).toBe(200);
    expect((await (await ada.get("/api/v1/notifications/settings")).json()).email).toBe(false);

    expect((await anon.get("/unsubscribe/not-a-valid-key-0000000000000")).status).toBe(404);
  });

  it("lets maintainers opt in to community notifications, and nobody else", async () => {
    const refused = await ada.request("PATCH", "/api/v1/notifications/settings", { json: { communityForMaintainer: true } });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.fields.communityForMaintainer).toEqual(expect.any(String));
    expect((await ada.request("PATCH", "/api/v1/notifications/settings", { json: { email: "sometimes" } })).status).toBe(400);

    const maya = await signIn(server, "maintainer@backline.local");
    expect(await (await maya.get("/api/v1/notifications/settings")).json()).toEqual({ email: true, communityForMaintainer: false });
    const changed = await maya.request("PATCH", "/api/v1/notifications/settings", { json: { communityForMaintainer: true } });
    expect(await changed.json()).toEqual({ email: true, communityForMaintainer: true });
    const page = await (await maya.get("/notifications")).text();
    expect(page).toContain("Also notify me about community activity");
  });

  it("describes the notification endpoints in the OpenAPI document", async () => {
    const doc = await (await new Client(server.url).get("/api/v1/openapi.json")).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/notifications",
        "/api/v1/notifications/read",
        "/api/v1/notifications/settings",
        "/api/v1/users/{username}",
      ]),
    );
    expect(doc.paths["/api/v1/notifications/read"].post.responses).toHaveProperty("401");
  });
});
