import { chmodSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { embeddedPasswordFile, ensureEmbeddedPassword, readEmbeddedPassword } from "~/services/embedded-postgres-password.server";
import { runningEmbeddedUrl } from "~/services/embedded-postgres.server";

// The password file is the key to the whole embedded database. Someone who could read it
// once, or who placed it (a link to a file they wrote), must not know the password the
// forum starts with. Whole-forum behaviour: embedded-database-auth.test.ts.

const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8);

describe.skipIf(process.platform === "win32")("The embedded database's password file", () => {
  let dir: string;
  let umask: number;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "backline-pw-"));
    // The most permissive umask: the file must be private by how it is created, not by luck.
    umask = process.umask(0);
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
  });

  it("is created owner-only with a long random password, and kept from then on", () => {
    const password = ensureEmbeddedPassword(dir);
    expect(password.length).toBeGreaterThanOrEqual(40);
    expect(modeOf(embeddedPasswordFile(dir))).toBe("600");
    expect(ensureEmbeddedPassword(dir)).toBe(password);
    expect(readEmbeddedPassword(dir)).toBe(password);
    const other = mkdtempSync(path.join(os.tmpdir(), "backline-pw-"));
    expect(ensureEmbeddedPassword(other)).not.toBe(password);
    rmSync(other, { recursive: true });
  });

  it("replaces a file that others could read", () => {
    const first = ensureEmbeddedPassword(dir);
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      chmodSync(embeddedPasswordFile(dir), mode);
      const next = ensureEmbeddedPassword(dir);
      expect(next, mode.toString(8)).not.toBe(first);
      expect(modeOf(embeddedPasswordFile(dir))).toBe("600");
    }
  });

  it("never trusts a link planted in its place, and leaves the link's target alone", () => {
    const planted = path.join(dir, "attacker-known");
    writeFileSync(planted, "known-to-the-attacker-0123456789\n", { mode: 0o600 });
    symlinkSync(planted, embeddedPasswordFile(dir));
    const password = ensureEmbeddedPassword(dir);
    expect(password).not.toContain("known-to-the-attacker");
    expect(lstatSync(embeddedPasswordFile(dir)).isSymbolicLink()).toBe(false);
    expect(readFileSync(planted, "utf8")).toBe("known-to-the-attacker-0123456789\n");
  });

  it("replaces an empty or truncated file", () => {
    writeFileSync(embeddedPasswordFile(dir), "short\n", { mode: 0o600 });
    const password = ensureEmbeddedPassword(dir);
    expect(password).not.toBe("short");
    expect(password.length).toBeGreaterThanOrEqual(40);
  });

  it("gives two processes starting at once the same password", async () => {
    const { spawn } = await import("node:child_process");
    const script = `
      const { ensureEmbeddedPassword } = require(${JSON.stringify(path.resolve(__dirname, "../../app/services/embedded-postgres-password.server.ts"))});
      process.stdout.write(ensureEmbeddedPassword(process.argv[1]));`;
    const tsx = path.resolve(__dirname, "../../node_modules/tsx/dist/cli.mjs");
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [tsx, "-e", script, dir], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
      });
    const passwords = await Promise.all([run(), run(), run(), run()]);
    expect(new Set(passwords).size).toBe(1);
    expect(passwords[0]).toBe(readEmbeddedPassword(dir));
    expect(modeOf(embeddedPasswordFile(dir))).toBe("600");
  });

  it("is sent by command-line tools only to a loopback address, whatever embedded.json says", () => {
    const password = ensureEmbeddedPassword(dir);
    const owner = (address: string) => writeFileSync(path.join(dir, "embedded.json"), JSON.stringify({ pid: process.pid, address }));
    owner("127.0.0.1:54321");
    expect(runningEmbeddedUrl(dir)).toBe(`postgresql://postgres:${password}@127.0.0.1:54321/postgres?sslmode=disable`);
    for (const address of ["attacker.example:5432", "10.0.0.7:5432", "127.0.0.1:5432@attacker.example:5432", ""]) {
      owner(address);
      expect(() => runningEmbeddedUrl(dir), address).toThrow(/loopback/);
    }
    // A file written by a forum before passwords: stop, never open the folder a second time.
    writeFileSync(
      path.join(dir, "embedded.json"),
      JSON.stringify({ pid: process.pid, url: "postgresql://postgres:postgres@127.0.0.1:5432/postgres" }),
    );
    expect(() => runningEmbeddedUrl(dir)).toThrow(/restart the forum/);
  });
});
