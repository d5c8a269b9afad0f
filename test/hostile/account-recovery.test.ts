import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Client, signIn, TEST_PASSWORD } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { readMailbox } from "../helpers/mailbox";

// Account recovery against an attacker who already got in (issue 13, part 3):
// whatever they hold — a session cookie, an API token, reset links they asked
// for — is worth nothing once the owner resets the password or signs out
// everywhere. Over real HTTP against the built app.

const dataDir = mkdtempSync(path.join(os.tmpdir(), "backline-recovery-"));
let server: TestServer;
let n = 0;

beforeAll(async () => {
  server = await startServer({ env: { DATA_DIR: dataDir } });
});
afterAll(async () => {
  await server?.stop();
});

type Account = { username: string; email: string; password: string };

async function member(): Promise<Account> {
  n += 1;
  const tag = `${n}${Math.random().toString(36).slice(2, 6)}`;
  const account = { username: `recover_${tag}`, email: `recover${tag}@example.com`, password: TEST_PASSWORD };
  expect((await new Client(server.url).post("/api/v1/users", account)).status).toBe(201);
  return account;
}

const canSignIn = async (account: Account, password: string) =>
  (await new Client(server.url).post("/api/v1/session", { email: account.email, password })).status === 200;

async function mintToken(client: Client) {
  const res = await client.post("/api/v1/tokens", { name: "attacker's bot" });
  expect(res.status, "token created with the cookie session").toBe(201);
  return (await res.json()).token as string;
}

/** Asks for a reset link over the API and reads it from the mail the forum wrote. */
async function resetLink(account: Account): Promise<string> {
  const before = readMailbox(path.join(dataDir, "mailbox"), account.email).length;
  expect((await new Client(server.url).post("/api/v1/password-resets", { email: account.email })).status).toBe(202);
  const mail = await vi.waitFor(
    () => {
      const mails = readMailbox(path.join(dataDir, "mailbox"), account.email);
      if (mails.length <= before) throw new Error("no reset mail yet");
      return mails.at(-1)!;
    },
    { timeout: 10_000, interval: 50 },
  );
  // Only the token: where the link points is another part of the issue.
  return `/reset-password/${/\/reset-password\/([\w-]+)/.exec(mail)![1]}`;
}

const resetWith = (link: string, password: string) =>
  new Client(server.url).request("POST", link, { form: { password, confirm: password } });

const whoAmI = async (client: Client, headers?: Record<string, string>) => {
  const res = await client.get("/api/v1/me", headers);
  return res.status === 200 ? ((await res.json()).username as string) : res.status;
};
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The attacker's foothold: a signed-in browser, an API token minted with it, and two reset links of their own. */
async function attackerHolds(account: Account) {
  const browser = await signIn(server, account, account.password);
  const token = await mintToken(browser);
  const oldLinks = [await resetLink(account), await resetLink(account)];
  expect(await whoAmI(browser)).toBe(account.username);
  expect(await whoAmI(new Client(server.url), bearer(token))).toBe(account.username);
  return { browser, token, oldLinks };
}

/** Everything the attacker held is dead, and no older link sets a password. */
async function expectCutOff(account: Account, held: Awaited<ReturnType<typeof attackerHolds>>, ownerPassword: string) {
  expect(await whoAmI(held.browser), "the attacker's cookie").toBe(401);
  expect(await whoAmI(new Client(server.url), bearer(held.token)), "the attacker's API token").toBe(401);
  for (const [i, link] of held.oldLinks.entries()) {
    const page = await new Client(server.url).get(link);
    expect(await page.text(), `old link ${i + 1} shows it has expired`).toContain("This link has expired");
    const res = await resetWith(link, `attacker's choice ${i}`);
    expect(res.status, `old link ${i + 1}`).toBe(400);
    expect(await res.text()).toMatch(/has expired/);
    expect(await canSignIn(account, `attacker's choice ${i}`), `old link ${i + 1} set no password`).toBe(false);
  }
  expect(await canSignIn(account, ownerPassword), "the owner still signs in").toBe(true);
}

describe("a password reset", () => {
  it("ends the attacker's session, API token and older reset links", async () => {
    const owner = await member();
    const held = await attackerHolds(owner);
    const ownerBrowser = await signIn(server, owner, owner.password);

    const reset = await resetWith(await resetLink(owner), "the owner's new passphrase");
    expect(reset.status).toBe(302);
    expect(reset.headers.get("location")).toBe("/login?reset=1");

    await expectCutOff(owner, held, "the owner's new passphrase");
    expect(await whoAmI(ownerBrowser), "every session ends, the owner's other devices too").toBe(401);
  });

  it("lets only one of two links sent at the same moment set a password", async () => {
    const owner = await member();
    const links = [await resetLink(owner), await resetLink(owner)];
    const passwords = ["first new passphrase", "second new passphrase"];
    const answers = await Promise.all(links.map((link, i) => resetWith(link, passwords[i]!)));
    expect(answers.map((r) => r.status).sort()).toEqual([302, 400]);
    const won = answers.findIndex((r) => r.status === 302);
    expect(await canSignIn(owner, passwords[won]!)).toBe(true);
    expect(await canSignIn(owner, passwords[1 - won]!)).toBe(false);
  });
});

describe("signing out everywhere", () => {
  it("from the settings page ends the attacker's session, API token and reset links", async () => {
    const owner = await member();
    const held = await attackerHolds(owner);
    const ownerBrowser = await signIn(server, owner, owner.password);
    const res = await ownerBrowser.request("POST", "/settings", { form: { intent: "sign-out-everywhere" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login");
    await expectCutOff(owner, held, owner.password);
    expect(await whoAmI(ownerBrowser)).toBe(401);
  });

  it("over the API (DELETE /api/v1/sessions) does the same, with a cookie or with a token", async () => {
    const owner = await member();
    const held = await attackerHolds(owner);
    const ownerBrowser = await signIn(server, owner, owner.password);
    const res = await ownerBrowser.request("DELETE", "/api/v1/sessions");
    expect(res.status).toBe(204);
    expect(ownerBrowser.hasCookie("__session"), "the answer clears the caller's cookie").toBe(false);
    await expectCutOff(owner, held, owner.password);

    // The owner's own script, holding a token, may pull the plug too; the token ends with everything else.
    const browser = await signIn(server, owner, owner.password);
    const token = await mintToken(browser);
    const script = new Client(server.url);
    expect((await script.request("DELETE", "/api/v1/sessions", { headers: bearer(token) })).status).toBe(204);
    expect(await whoAmI(script, bearer(token))).toBe(401);
    expect(await whoAmI(browser)).toBe(401);

    expect((await new Client(server.url).request("DELETE", "/api/v1/sessions")).status, "signed out").toBe(401);
  });
});

describe("creating an API token", () => {
  it("needs the browser session: a bearer token cannot mint another, in any spelling or through any form", async () => {
    const owner = await member();
    const browser = await signIn(server, owner, owner.password);
    const token = await mintToken(browser);
    const script = new Client(server.url);
    for (const authorization of [`Bearer ${token}`, `bearer ${token}`, `BEARER  ${token}`]) {
      const api = await script.request("POST", "/api/v1/tokens", {
        json: { name: "minted by a token" },
        headers: { Authorization: authorization },
      });
      expect(api.status, authorization).toBe(403);
      const body = await api.json();
      expect(body.error).toMatchObject({ code: "forbidden", message: expect.stringMatching(/signed-in browser session/) });
      expect(JSON.stringify(body)).not.toMatch(/blt_[\w-]{40}/);

      // The settings page's form is the same act.
      const form = await script.request("POST", "/settings", {
        form: { intent: "create-token", name: "minted by a token" },
        headers: { Authorization: authorization },
      });
      expect(form.status, `${authorization} on /settings`).toBe(403);
      const page = await form.text();
      expect(page).toContain("API tokens cannot create API tokens");
      // The page lists the owner's tokens by their first characters only; no whole new secret is on it.
      expect(page).not.toMatch(/blt_[\w-]{40}/);

      // A cookie does not launder a request that authenticates with a token.
      const both = await browser.request("POST", "/api/v1/tokens", {
        json: { name: "minted by a token" },
        headers: { Authorization: authorization },
      });
      expect(both.status, `${authorization} with a cookie`).toBe(403);
    }
    const settings = await (await browser.get("/settings")).text();
    expect(settings).not.toContain("minted by a token");
    // The browser session itself still can.
    expect((await browser.post("/api/v1/tokens", { name: "from the browser" })).status).toBe(201);
  });
});
