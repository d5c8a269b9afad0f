import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudit } from "~/models/moderation/audit.server";
import { getProfile } from "~/models/community/profile.server";
import { createThread } from "~/models/community/thread.server";
import { createUser } from "~/models/accounts/user.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";
import { TEST_PASSWORD } from "../helpers/http";

// A name that looks like someone else's must not be registrable, and a name
// used as a lookup must match only itself. Model level, plus the CLI that
// creates accounts outside the web app (the join form and the API share
// createUser; test/hostile/input-text.test.ts sends them over HTTP).

useTestDatabase();

const password = TEST_PASSWORD;
const signUp = (username: string) => createUser({ username, email: `${Math.random().toString(36).slice(2)}@example.com`, password });

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { status: number; fields?: Record<string, string> };
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  await signUp("admin");
});

describe("names that look like someone else's", () => {
  // Each looks like "admin" on screen and is not made of ASCII letters only.
  const lookalikes = [
    ["Cyrillic а", "\u0430dmin"],
    ["Cyrillic о in 'mod'", "m\u043ed"],
    ["Greek Α", "\u0391dmin"],
    ["dotless ı", "adm\u0131n"],
    ["combining accent", "a\u0301dmin"],
    ["right-to-left override", "\u202eadmin"],
    ["RLO inside", "ad\u202emin"],
    ["left-to-right isolate", "\u2066admin\u2069"],
    ["zero-width space", "ad\u200bmin"],
    ["zero-width joiner", "admin\u200d"],
    ["zero-width non-joiner", "ad\u200cmin"],
    ["soft hyphen", "ad\u00admin"],
    ["word joiner", "ad\u2060min"],
    ["right-to-left mark", "admin\u200f"],
    ["Armenian ց", "\u0581dmin"],
    ["Latin small capital", "\u1d00dmin"],
    ["Cherokee", "\u13aaDMIN"],
    ["hyphen", "ad-min"],
    ["space inside", "ad min"],
    ["dot", "ad.min"],
    ["at sign", "@admin"],
    ["emoji", "admin\u{1F451}"],
    ["null character", "ad\u0000min"],
    ["newline", "ad\nmin"],
    ["tab", "ad\tmin"],
  ] as const;

  it(`refuses ${lookalikes.length} lookalikes of "admin" with a field message, and stores none of them`, async () => {
    for (const [what, name] of lookalikes) {
      const error = await refusal(signUp(name));
      expect(error.status, what).toBe(400);
      expect(error.fields?.username, what).toMatch(/letters, digits and underscores/);
    }
    expect(await db.user.count()).toBe(1);
  });

  // NFKC folds these into plain ASCII: the name they spell, so "admin" is taken.
  const compatibility = [
    ["fullwidth", "\uff41\uff44\uff4d\uff49\uff4e"],
    ["fullwidth capitals", "\uff21\uff24\uff2d\uff29\uff2e"],
    ["mathematical bold", "\u{1d41a}\u{1d41d}\u{1d426}\u{1d422}\u{1d427}"],
    ["circled", "\u24d0\u24d3\u24dc\u24d8\u24dd"],
    ["ideographic space after", "admin\u3000"],
    ["byte order mark before", "\ufeffadmin"],
    ["capitals", "ADMIN"],
    ["mixed case", "AdMiN"],
    ["padded", "  admin  "],
  ] as const;

  it(`folds ${compatibility.length} compatibility and case variants into "admin" and answers that it is taken`, async () => {
    for (const [what, name] of compatibility) {
      const error = await refusal(signUp(name));
      expect(error.status, what).toBe(409);
      expect(error.fields?.username, what).toMatch(/taken/);
    }
    expect(await db.user.count()).toBe(1);
  });

  it("stores a fullwidth name that is free as the plain name it spells", async () => {
    const user = await signUp("\uff47\uff52\uff41\uff43\uff45_\uff11"); // ｇｒａｃｅ_１
    expect(user.username).toBe("grace_1");
    expect((await refusal(signUp("Grace_1"))).status).toBe(409);
  });
});

describe("two people claiming one name in different case at the same moment", () => {
  it("lets exactly one of them have it; the others are told it is taken", async () => {
    // The check before insert cannot see a sign-up that has not committed yet; the database's
    // case-insensitive unique index (migration username_case_insensitive) decides.
    const attempts = ["Racer", "racer", "RACER", "rAcEr", "RaCeR"];
    const results = await Promise.allSettled(attempts.map(signUp));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === "rejected")) {
      expect(r.reason).toMatchObject({ status: 409, fields: { username: expect.stringMatching(/taken/) } });
    }
    expect(await db.user.count({ where: { username: { equals: "racer", mode: "insensitive" } } })).toBe(1);
  });
});

describe("names used to look someone up", () => {
  it("matches no one for LIKE wildcards: /u/% and /u/a_min do not show admin", async () => {
    for (const probe of ["%", "%%", "_____", "a_min", "adm%", "%n", "\\", "admin\\", "a\\_min"]) {
      const error = await refusal(getProfile(probe));
      expect(error.status, probe).toBe(404);
    }
    expect((await getProfile("ADMIN")).username).toBe("admin");
  });

  it("lets someone register a_min next to admin (an underscore is not a wildcard)", async () => {
    expect((await signUp("a_min")).username).toBe("a_min");
    expect((await getProfile("a_min")).username).toBe("a_min");
    expect((await getProfile("admin")).username).toBe("admin");
  });

  it("notifies only the member actually mentioned, not everyone a wildcard would match", async () => {
    const category = await makeCategory();
    const [author, ada, adz] = await Promise.all([makeUser(), makeUser({ username: "ada_x" }), makeUser({ username: "adaax" })]);
    await createThread(author, {
      category: category.slug,
      title: "Who knows the export job well?",
      body: "Asking @ada_x about the export job, thanks!",
    });
    const mentioned = await db.notification.findMany({ where: { kind: "mention" }, select: { userId: true } });
    expect(mentioned.map((n) => n.userId)).toEqual([ada.id]);
    expect(mentioned.map((n) => n.userId)).not.toContain(adz.id);
  });

  it("filters the audit log by the exact moderator, not by a pattern", async () => {
    const [mod, other] = await Promise.all([
      makeUser({ role: "moderator", username: "mod_a" }),
      makeUser({ role: "moderator", username: "modxa" }),
    ]);
    await db.auditLog.create({ data: { actorId: other.id, action: "post.hide", targetType: "post", targetId: "p1" } });
    const byPattern = await listAudit(mod, { actor: "mod_a" });
    expect(byPattern.entries).toHaveLength(0);
    const everything = await listAudit(mod, { actor: "%" });
    expect(everything.entries).toHaveLength(0);
    expect((await listAudit(mod, { actor: "modxa" })).entries).toHaveLength(1);
  });
});

describe("the command line", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "backline-cli-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "app/cli.mts", ...args], {
      cwd: path.resolve(__dirname, "../.."),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", DATA_DIR: dataDir, LOG_LEVEL: "error" },
      encoding: "utf8",
      timeout: 120_000,
    });

  it("user:create refuses a Cyrillic lookalike and a fullwidth copy of an existing admin", { timeout: 240_000 }, () => {
    const created = cli("user:create", "--email", "root@example.com", "--username", "admin", "--password", password, "--role", "admin");
    expect(created.status, created.stderr).toBe(0);

    const cyrillic = cli(
      "user:create",
      "--email",
      "fake@example.com",
      "--username",
      "\u0430dmin",
      "--password",
      password,
      "--role",
      "admin",
    );
    expect(cyrillic.status).toBe(1);
    expect(cyrillic.stderr).toMatch(/--username: Use letters, digits and underscores only/);

    const fullwidth = cli(
      "user:create",
      "--email",
      "wide@example.com",
      "--username",
      "\uff41\uff44\uff4d\uff49\uff4e",
      "--password",
      password,
    );
    expect(fullwidth.status).toBe(1);
    expect(fullwidth.stderr).toMatch(/--username: This username is taken/);
  });
});
