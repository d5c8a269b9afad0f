import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetEnvForTests } from "~/env.server";
import {
  findByUnsubscribeKey,
  getNotificationSettings,
  listInbox,
  markNotificationsRead,
  setEmailOptOutByKey,
  updateNotificationSettings,
  parseInboxQuery,
} from "~/models/notifications/inbox.server";
import { notify, unreadCount } from "~/models/notifications/notification.server";
import { createReply } from "~/models/community/post.server";
import { createThread } from "~/models/community/thread.server";
import { db } from "~/services/db.server";
import { stopWorker, startWorker } from "~/services/jobs.server";
import { resetMailTransportForTests } from "~/services/mail.server";
import { NOTIFICATION_MAIL_QUEUE, sendDueNotificationMails } from "~/services/notification-mail.server";
import { JOBS, registerJobs, scheduleJobs } from "~/server/job-registry.server";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";
import { readMailbox } from "../helpers/mailbox";
import { until } from "../helpers/wait";

// Mail without SMTP lands as .eml files in DATA_DIR/mailbox; each test gets its own folder.
const dataDir = mkdtempSync(path.join(os.tmpdir(), "backline-notify-"));
process.env.DATA_DIR = dataDir;
useTestDatabase();
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const mailbox = path.join(dataDir, "mailbox");
beforeEach(() => {
  rmSync(mailbox, { recursive: true, force: true });
  resetMailTransportForTests();
});
afterEach(() => {
  delete process.env.NOTIFICATION_EMAIL_DELAY_SECONDS;
  resetEnvForTests();
});

const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);
const emailOf = async (user: { id: string }) => (await db.user.findUniqueOrThrow({ where: { id: user.id } })).email;
const mailsTo = async (user: { id: string }) => readMailbox(mailbox, await emailOf(user));

async function askAndReply() {
  const cat = await makeCategory();
  const [asker, helper] = await Promise.all([makeUser(), makeUser()]);
  const thread = await createThread(asker, {
    category: cat.slug,
    title: "Where do the log files go on macOS?",
    body: "I cannot find the log folder after installing the desktop app.",
  });
  const reply = await createReply(helper, thread.id, { body: "They live in ~/Library/Logs/Backline on macOS." });
  return { asker, helper, thread, reply };
}

describe("the in-app inbox", () => {
  it("shows a reply to my thread as unread, and marking it read clears the count", async () => {
    const { asker, helper, reply } = await askAndReply();
    const inbox = await listInbox(asker.id);
    expect(inbox.unreadCount).toBe(1);
    expect(inbox.notifications).toHaveLength(1);
    expect(inbox.notifications[0]).toMatchObject({ kind: "reply", url: reply.url, readAt: null });
    expect(inbox.notifications[0]!.title).toContain(helper.username);

    // Someone else's id is ignored: only one's own notifications can be marked.
    expect(await markNotificationsRead(helper.id, { ids: [inbox.notifications[0]!.id] })).toMatchObject({ marked: 0 });
    expect(await unreadCount(asker.id)).toBe(1);

    expect(await markNotificationsRead(asker.id, { ids: [inbox.notifications[0]!.id] })).toEqual({ marked: 1, unreadCount: 0 });
    const after = await listInbox(asker.id);
    expect(after.notifications[0]!.readAt).toBeInstanceOf(Date);
    expect((await listInbox(asker.id, parseInboxQuery({ unread: "true" }))).notifications).toHaveLength(0);
  });

  it("marks everything read at once, and refuses a request that names neither ids nor all", async () => {
    const user = await makeUser();
    await notify(db, [user.id], { kind: "mention", title: "Someone mentioned you", url: "/t/x/y" });
    await notify(db, [user.id], { kind: "reply", title: "Someone replied", url: "/t/x/y#post-1" });
    expect(await markNotificationsRead(user.id, { all: true })).toEqual({ marked: 2, unreadCount: 0 });
    await expect(markNotificationsRead(user.id, {})).rejects.toMatchObject({ status: 400 });
    await expect(markNotificationsRead(user.id, { ids: [] })).rejects.toMatchObject({ status: 400 });
  });

  it("pages through a long inbox with a cursor, newest first, without repeats", async () => {
    const user = await makeUser();
    const base = Date.now() - 3600_000;
    await db.notification.createMany({
      data: Array.from({ length: 35 }, (_, i) => ({
        userId: user.id,
        kind: "reply",
        title: `Reply ${i}`,
        url: "/t/a/b",
        createdAt: new Date(base + i * 1000),
      })),
    });
    const first = await listInbox(user.id);
    expect(first.notifications).toHaveLength(30);
    expect(first.notifications[0]!.title).toBe("Reply 34");
    expect(first.nextCursor).toBeTruthy();
    const second = await listInbox(user.id, parseInboxQuery({ cursor: first.nextCursor }));
    expect(second.notifications.map((n) => n.title)).toEqual(["Reply 4", "Reply 3", "Reply 2", "Reply 1", "Reply 0"]);
    expect(second.nextCursor).toBeNull();
    await expect(listInbox(user.id, parseInboxQuery({ cursor: "garbage" }))).rejects.toMatchObject({ status: 400 });
  });
});

describe("maintainers and community notifications", () => {
  it("keeps community activity away from a maintainer until they opt in", async () => {
    const maintainer = await makeUser({ role: "maintainer" });
    await notify(db, [maintainer.id], { kind: "reply", title: "A reply in the forum", url: "/t/a/b" });
    expect(await unreadCount(maintainer.id)).toBe(0);
    expect(await getNotificationSettings(maintainer)).toEqual({ email: true, communityForMaintainer: false });

    await updateNotificationSettings(maintainer, { communityForMaintainer: true });
    await notify(db, [maintainer.id], { kind: "reply", title: "Another reply in the forum", url: "/t/a/b" });
    expect(await unreadCount(maintainer.id)).toBe(1);
  });

  it("offers the community setting to maintainers only", async () => {
    const member = await makeUser();
    expect(await getNotificationSettings(member)).toEqual({ email: true, communityForMaintainer: null });
    await expect(updateNotificationSettings(member, { communityForMaintainer: true })).rejects.toMatchObject({
      status: 400,
      fields: { communityForMaintainer: expect.any(String) },
    });
    expect(await updateNotificationSettings(member, { email: false })).toEqual({ email: false, communityForMaintainer: null });
    expect((await db.user.findUniqueOrThrow({ where: { id: member.id } })).emailOptOut).toBe(true);
  });
});

describe("notification e-mail", () => {
  it("waits for the batching delay, then sends one e-mail with everything unread and an unsubscribe link", async () => {
    const { asker, thread } = await askAndReply();
    const other = await makeUser();
    await createReply(other, thread.id, { body: "Also check ~/Library/Application Support for crash logs." });

    await sendDueNotificationMails(new Date());
    expect(await mailsTo(asker)).toHaveLength(0);

    await sendDueNotificationMails(later(6));
    const sent = await mailsTo(asker);
    expect(sent).toHaveLength(1);
    const mail = sent[0]!;
    expect(mail).toContain("Subject: [Backline] 2 new notifications");
    expect(mail).toMatch(/replied to “Where do the log files go on macOS\?”/);
    expect(mail).toMatch(/List-Unsubscribe: <http[^>]+\/unsubscribe\/[\w-]{43}>/);
    expect(mail).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");

    const row = await db.user.findUniqueOrThrow({ where: { id: asker.id } });
    expect(row.unsubscribeKey).toHaveLength(43);
    expect(mail).toContain(`/unsubscribe/${row.unsubscribeKey}`);
    const notes = await db.notification.findMany({ where: { userId: asker.id } });
    expect(notes.every((n) => n.emailedAt)).toBe(true);

    // Nothing is sent twice.
    expect((await sendDueNotificationMails(later(12))).sent).toBe(0);
  });

  it("never e-mails what was already read in the app, nor members who opted out", async () => {
    const reader = await makeUser();
    const optedOut = await makeUser();
    await notify(db, [reader.id, optedOut.id], { kind: "mention", title: "You were mentioned", url: "/t/a/b" });
    await markNotificationsRead(reader.id, { all: true });
    await updateNotificationSettings(optedOut, { email: false });
    await sendDueNotificationMails(later(6));
    expect(await mailsTo(reader)).toHaveLength(0);
    expect(await mailsTo(optedOut)).toHaveLength(0);
  });

  it("escapes thread titles in the HTML part", async () => {
    const user = await makeUser();
    await notify(db, [user.id], { kind: "reply", title: "x replied to “<img src=x onerror=alert(1)>”", url: "/t/a/b" });
    await sendDueNotificationMails(later(6));
    const [mail] = await mailsTo(user);
    expect(mail).toContain("Subject: [Backline] x replied to “<img src=x onerror=alert(1)>”");
    const html = mail!.slice(mail.indexOf("Content-Type: text/html"));
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).not.toContain("<img");
  });

  it("unsubscribes with the key from the e-mail, and resubscribes", async () => {
    const user = await makeUser();
    await notify(db, [user.id], { kind: "reply", title: "A reply", url: "/t/a/b" });
    await sendDueNotificationMails(later(6));
    const { unsubscribeKey } = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await findByUnsubscribeKey(unsubscribeKey)).toEqual({ username: user.username, emailOptOut: false });
    expect(await setEmailOptOutByKey(unsubscribeKey, true)).toBe(true);
    expect((await getNotificationSettings(user)).email).toBe(false);
    expect(await setEmailOptOutByKey(unsubscribeKey, false)).toBe(true);
    expect((await getNotificationSettings(user)).email).toBe(true);
    expect(await findByUnsubscribeKey("not-a-real-key-at-all-000000")).toBeNull();
    expect(await setEmailOptOutByKey("short", true)).toBe(false);
  });

  it("runs as a recurring background job that keeps exactly one sweep pending", async () => {
    process.env.NOTIFICATION_EMAIL_DELAY_SECONDS = "0";
    resetEnvForTests();
    // Started the way every app server starts it, twice: still one sweep pending.
    const sweep = JOBS.filter((job) => job.queue === NOTIFICATION_MAIL_QUEUE);
    registerJobs(sweep);
    await scheduleJobs(sweep);
    await scheduleJobs(sweep);
    const pending = () => db.job.count({ where: { queue: NOTIFICATION_MAIL_QUEUE, state: "pending" } });
    expect(await pending()).toBe(1);

    const user = await makeUser();
    await notify(db, [user.id], { kind: "accepted", title: "Your answer was accepted", url: "/t/a/b#post-1" });
    startWorker(100);
    try {
      await until("the worker to send the e-mail", async () => (await mailsTo(user)).length > 0, 15_000);
    } finally {
      await stopWorker();
    }
    expect(await mailsTo(user)).toHaveLength(1);
    expect(await pending()).toBe(1);
  });
});
