import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, newMember, signIn, TEST_PASSWORD } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";

// People and roles (issue 18): admins find accounts, change roles, suspend and unsuspend, each
// audited; a suspension stops sign-in, writes from existing sessions, and API tokens, with a 403
// that says until when.

let server: TestServer;
let admin: Client;
let moderator: Client;

const patch = (client: Client, username: string, json: unknown, headers?: Record<string, string>) =>
  client.request("PATCH", `/api/v1/users/${username}`, { json, headers });

const auditFor = async (targetId: string) => {
  const res = await admin.get(`/api/v1/audit?targetType=user&targetId=${targetId}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: { action: string; actor: string; reason: string | null; data: Record<string, unknown> }[] })
    .entries;
};

async function firstThreadId() {
  const res = await new Client(server.url).get("/api/v1/threads");
  return ((await res.json()) as { threads: { id: string }[] }).threads[0]!.id;
}

beforeAll(async () => {
  server = await startServer({ seed: true });
  [admin, moderator] = await Promise.all([signIn(server, "admin@backline.local"), signIn(server, "moderator@backline.local")]);
});
afterAll(async () => {
  await server?.stop();
});

describe("finding people", () => {
  it("admins search by username or e-mail, a page at a time; anyone else gets 403", async () => {
    const byName = await (await admin.get("/api/v1/users?q=grac")).json();
    expect(byName.people.map((p: { username: string }) => p.username)).toEqual(["grace"]);
    const byMail = await (await admin.get("/api/v1/users?q=MODERATOR@backline")).json();
    expect(byMail.people).toMatchObject([{ username: "moira", role: "moderator", suspendedUntil: null }]);
    const all = await (await admin.get("/api/v1/users?page=1")).json();
    expect(all.total).toBeGreaterThanOrEqual(5);
    expect((await moderator.get("/api/v1/users")).status).toBe(403);
    expect((await new Client(server.url).get("/api/v1/users")).status).toBe(401);
    expect((await admin.get("/admin/people?q=grace")).status).toBe(200);
    expect(await (await admin.get("/admin/people?q=grace")).text()).toContain("member2@backline.local");
    expect((await moderator.get("/admin/people")).status).toBe(403);
  });
});

describe("roles", () => {
  it("an admin changes a role with an audit entry; a non-admin cannot; an admin cannot demote themselves", async () => {
    const member = await newMember(server, "rolechange");
    const username = (await (await member.get("/api/v1/me")).json()).username as string;
    const changed = await patch(admin, username, { role: "moderator", reason: "Helps in the forum every day" });
    expect(changed.status).toBe(200);
    const person = await changed.json();
    expect(person).toMatchObject({ username, role: "moderator" });
    expect(await auditFor(person.id)).toMatchObject([
      { action: "user.role", actor: "root", reason: "Helps in the forum every day", data: { from: "member", to: "moderator" } },
    ]);

    const refused = await patch(moderator, username, { role: "admin" });
    expect(refused.status).toBe(403);
    const self = await patch(admin, "root", { role: "member" });
    expect(self.status).toBe(409);
    expect((await self.json()).error.message).toMatch(/cannot demote or suspend yourself/i);
    expect((await patch(admin, "root", { suspendedUntil: "2099-01-01" })).status).toBe(409);
    expect((await patch(admin, username, { role: "owner" })).status).toBe(400);
    expect((await patch(admin, "nobody_here", { role: "member" })).status).toBe(404);
  });
});

describe("suspension", () => {
  it("stops sign-in, posting from an open session and API tokens with a 403 saying until when; unsuspending restores all", async () => {
    const member = await newMember(server, "suspended");
    const me = await (await member.get("/api/v1/me")).json();
    const tokenRes = await member.post("/api/v1/tokens", { name: "bot" });
    expect(tokenRes.status).toBe(201);
    const bearer = { Authorization: `Bearer ${(await tokenRes.json()).token}` };
    const threadId = await firstThreadId();

    expect((await patch(admin, me.username, { suspendedUntil: "2099-03-01T12:00:00Z" })).status).toBe(400); // no reason
    const suspended = await patch(admin, me.username, { suspendedUntil: "2099-03-01T12:00:00Z", reason: "Spam links in three threads" });
    expect(suspended.status).toBe(200);
    expect(await suspended.json()).toMatchObject({ suspendedUntil: "2099-03-01T12:00:00.000Z" });

    const reply = await member.post(`/api/v1/threads/${threadId}/posts`, { body: "One more link to my shop, please click." });
    expect(reply.status).toBe(403);
    const error = (await reply.json()).error;
    expect(error).toMatchObject({ code: "account_suspended" });
    expect(error.message).toContain("until 2099-03-01 12:00 UTC");

    const byToken = await new Client(server.url).post(`/api/v1/threads/${threadId}/posts`, { body: "From the bot, again." }, bearer);
    expect(byToken.status).toBe(403);
    expect((await new Client(server.url).get("/api/v1/me", bearer)).status).toBe(403);

    const signInAgain = await new Client(server.url).post("/api/v1/session", { email: member.email, password: TEST_PASSWORD });
    expect(signInAgain.status).toBe(403);
    expect((await signInAgain.json()).error.message).toContain("2099-03-01 12:00 UTC");
    // Reading stays open: the session reads public pages as a visitor.
    expect((await member.get(`/api/v1/threads/${threadId}`)).status).toBe(200);

    const lifted = await patch(admin, me.username, { suspendedUntil: null });
    expect(lifted.status).toBe(200);
    expect(await lifted.json()).toMatchObject({ suspendedUntil: null });
    expect((await member.post(`/api/v1/threads/${threadId}/posts`, { body: "Sorry about the links; a real answer now." })).status).toBe(
      201,
    );
    expect((await new Client(server.url).get("/api/v1/me", bearer)).status).toBe(200);
    expect((await signIn(server, member, TEST_PASSWORD)).hasCookie("__session")).toBe(true);

    const entries = await auditFor(me.id);
    expect(entries.map((e) => e.action)).toEqual(["user.unsuspend", "user.suspend"]);
    expect(entries[1]).toMatchObject({ actor: "root", reason: "Spam links in three threads", data: { until: "2099-03-01T12:00:00.000Z" } });
  });

  it("the admin page suspends and unsuspends through its forms", async () => {
    const member = await newMember(server, "formsuspend");
    const { username } = await (await member.get("/api/v1/me")).json();
    const form = (fields: Record<string, string>) =>
      admin.request("POST", "/admin/people", { form: fields, headers: { Origin: server.url } });
    expect((await form({ intent: "suspend", username, until: "2099-05-01", reason: "Cooling off" })).status).toBe(200);
    expect((await (await admin.get(`/api/v1/users?q=${username}`)).json()).people[0].suspendedUntil).toBe("2099-05-01T00:00:00.000Z");
    expect((await form({ intent: "unsuspend", username })).status).toBe(200);
    expect((await (await admin.get(`/api/v1/users?q=${username}`)).json()).people[0].suspendedUntil).toBeNull();
  });
});
