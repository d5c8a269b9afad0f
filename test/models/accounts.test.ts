import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createApiToken, revokeApiToken, userForToken } from "~/models/accounts/api-token.server";
import { revokeAllAccess, setPassword } from "~/models/accounts/account-access.server";
import { createAuthSession, listSessions, userForSession } from "~/models/accounts/auth-session.server";
import { requestPasswordReset, resetPassword } from "~/models/accounts/password-reset.server";
import { changeRoleFromCommandLine } from "~/models/accounts/people.server";
import { createUser, verifyCredentials } from "~/models/accounts/user.server";
import { accounts } from "~/server/accounts.server";
import { asFormRequest, connectAccounts, login } from "~/services/auth.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { TEST_PASSWORD } from "../helpers/http";

useTestDatabase();
// What app/entry.server.tsx does when the app loads.
connectAccounts(accounts);

let n = 0;
const newUser = (overrides: Record<string, string> = {}) => {
  n += 1;
  return { username: `user_${n}`, email: `user${n}@example.com`, password: TEST_PASSWORD, ...overrides };
};
const loginRequest = (email: string, password: string, ip = "10.0.0.1") =>
  asFormRequest(new Request("http://localhost/login", { method: "POST", headers: { "x-backline-client-ip": ip } }), { email, password });

describe("joining", () => {
  it("creates a member with a hashed password", async () => {
    const input = newUser();
    const user = await createUser(input);
    expect(user).toMatchObject({ username: input.username, role: "member" });
    const found = await verifyCredentials(input.email, input.password);
    expect(found?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("refuses a duplicate e-mail with 409 and a message on the e-mail field", async () => {
    const input = newUser();
    await createUser(input);
    await expect(createUser({ ...input, username: "someone_else" })).rejects.toMatchObject({
      status: 409,
      fields: { email: expect.stringContaining("already exists") },
    });
  });

  it("refuses a username taken in another letter case with 409", async () => {
    const input = newUser();
    await createUser(input);
    await expect(createUser(newUser({ username: input.username.toUpperCase() }))).rejects.toMatchObject({
      status: 409,
      fields: { username: expect.any(String) },
    });
  });

  it.each([
    ["too short", "short1"],
    ["too common", "password123"],
    ["too repetitive", "aaaaaaaaaaaa"],
  ])("refuses a weak password (%s) with 400", async (_why, password) => {
    await expect(createUser(newUser({ password }))).rejects.toMatchObject({ status: 400, fields: { password: expect.any(String) } });
  });

  it("refuses malformed usernames and e-mails with field messages", async () => {
    await expect(createUser(newUser({ username: "a b" }))).rejects.toMatchObject({ status: 400, fields: { username: expect.any(String) } });
    await expect(createUser(newUser({ email: "not-an-email" }))).rejects.toMatchObject({
      status: 400,
      fields: { email: expect.any(String) },
    });
  });
});

describe("signing in", () => {
  it("signs in with the right password and creates a database session", async () => {
    const input = newUser();
    await createUser(input);
    const { user, setCookie } = await login(loginRequest(input.email.toUpperCase(), input.password));
    expect(user.username).toBe(input.username);
    expect(setCookie).toMatch(/__session=.+HttpOnly.*SameSite=Lax/i);
    expect(await listSessions(user.id)).toHaveLength(1);
  });

  it("answers a wrong password with 401", async () => {
    const input = newUser();
    await createUser(input);
    await expect(login(loginRequest(input.email, "wrong password!!"))).rejects.toMatchObject({ status: 401 });
  });

  it("throttles repeated failures with 429 and Retry-After, even for the right password", async () => {
    const input = newUser();
    await createUser(input);
    for (let i = 0; i < 5; i++) await expect(login(loginRequest(input.email, "nope nope nope"))).rejects.toMatchObject({ status: 401 });
    const error = await login(loginRequest(input.email, input.password)).catch((e) => e);
    expect(error.status).toBe(429);
    expect(Number(error.headers["Retry-After"])).toBeGreaterThan(0);
    expect(error.message).toMatch(/Try again in \d+ minutes?/);
  });
});

describe("sessions and tokens", () => {
  it("signs out everywhere by deleting every session and revoking every token", async () => {
    const user = await createUser(newUser());
    const bystander = await createUser(newUser());
    const a = await createAuthSession(user.id, "laptop");
    const b = await createAuthSession(user.id, "phone");
    const { token } = await createApiToken(user.id, { name: "ci" });
    const theirs = await createAuthSession(bystander.id, "theirs");
    expect(await userForSession(a.id)).not.toBeNull();
    await revokeAllAccess(user.id);
    expect(await userForSession(a.id)).toBeNull();
    expect(await userForSession(b.id)).toBeNull();
    expect(await userForToken(token)).toBeNull();
    expect(await listSessions(user.id)).toEqual([]);
    expect((await userForSession(theirs.id))?.id, "another account is untouched").toBe(bystander.id);
  });

  it("keeps the browser that sets a new password signed in, and ends everything else", async () => {
    const input = newUser();
    const user = await createUser(input);
    const here = await createAuthSession(user.id, "this browser");
    const there = await createAuthSession(user.id, "somewhere else");
    const { token } = await createApiToken(user.id, { name: "ci" });
    await requestPasswordReset({ email: input.email });
    await setPassword(user.id, "another long passphrase", { keepSessionId: here.id });
    expect((await userForSession(here.id))?.id).toBe(user.id);
    expect(await userForSession(there.id)).toBeNull();
    expect(await userForToken(token)).toBeNull();
    expect(await verifyCredentials(input.email, "another long passphrase")).not.toBeNull();
    const open = await db.passwordReset.count({ where: { userId: user.id, usedAt: null, expiresAt: { gt: new Date() } } });
    expect(open, "no reset link is left to use").toBe(0);
  });

  it("authenticates an API token until it is revoked, and stores only its hash", async () => {
    const user = await createUser(newUser());
    const created = await createApiToken(user.id, { name: "ci bot" });
    expect(created.token).toMatch(/^blt_/);
    expect((await userForToken(created.token))?.id).toBe(user.id);
    expect(await userForToken(created.token + "x")).toBeNull();
    expect(await revokeApiToken(user.id, created.id)).toBe(true);
    expect(await userForToken(created.token)).toBeNull();
  });

  it("refuses a token without a name", async () => {
    const user = await createUser(newUser());
    await expect(createApiToken(user.id, { name: "  " })).rejects.toMatchObject({ status: 400, fields: { name: expect.any(String) } });
  });
});

describe("password reset", () => {
  it("mails a one-time link that sets a new password and signs out everywhere", async () => {
    const input = newUser();
    const user = await createUser(input);
    const session = await createAuthSession(user.id, "old device");
    const { mailFile } = await requestPasswordReset({ email: input.email });
    // The .eml is quoted-printable: undo soft line breaks before reading the link.
    const mail = readFileSync(mailFile!, "utf8")
      .replace(/=\r?\n/g, "")
      .replace(/=3D/g, "=");
    const token = mail.match(/reset-password\/([\w-]+)/)![1]!;
    await resetPassword({ token, password: "brand new passphrase", confirm: "brand new passphrase" });
    expect(await verifyCredentials(input.email, "brand new passphrase")).not.toBeNull();
    expect(await verifyCredentials(input.email, input.password)).toBeNull();
    expect(await userForSession(session.id)).toBeNull();
    await expect(resetPassword({ token, password: "another passphrase 1", confirm: "another passphrase 1" })).rejects.toMatchObject({
      status: 400,
    });
  });

  it("refuses a link past its hour, and sets no password with it", async () => {
    const input = newUser();
    const user = await createUser(input);
    const { mailFile } = await requestPasswordReset({ email: input.email });
    const mail = readFileSync(mailFile!, "utf8")
      .replace(/=\r?\n/g, "")
      .replace(/=3D/g, "=");
    const token = mail.match(/reset-password\/([\w-]+)/)![1]!;
    await db.passwordReset.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(resetPassword({ token, password: "brand new passphrase", confirm: "brand new passphrase" })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/expired/),
    });
    expect(await verifyCredentials(input.email, "brand new passphrase")).toBeNull();
    expect(await verifyCredentials(input.email, input.password)).not.toBeNull();
  });

  it("answers the same for an unknown e-mail and sends nothing", async () => {
    const { mailFile } = await requestPasswordReset({ email: "nobody@example.com" });
    expect(mailFile).toBeUndefined();
  });

  it("refuses mismatched confirmation", async () => {
    await expect(
      resetPassword({ token: "x".repeat(30), password: "brand new passphrase", confirm: "different one here" }),
    ).rejects.toMatchObject({
      status: 400,
      fields: { confirm: expect.any(String) },
    });
  });
});

describe("roles from the command line", () => {
  it("changes the role with an audit entry, as the admin page does (npm run cli -- user:role)", async () => {
    const input = newUser();
    const user = await createUser(input);
    const changed = await changeRoleFromCommandLine(input.email.toUpperCase(), "moderator");
    expect(changed).toMatchObject({ username: input.username, role: "moderator" });
    const entries = await db.auditLog.findMany({ where: { targetType: "user", targetId: user.id } });
    expect(entries).toMatchObject([
      { action: "user.role", actorId: null, reason: expect.stringContaining("command line"), data: { from: "member", to: "moderator" } },
    ]);
    await expect(changeRoleFromCommandLine("nobody@example.com", "admin")).rejects.toMatchObject({ status: 404 });
  });
});
