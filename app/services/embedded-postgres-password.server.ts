import { randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";

// The embedded database's password lives in one file of the data folder, readable by its
// owner only: whoever can read it can read and write every row (docs/decisions/030).
const FILE = "db-password";
const checkModes = process.platform !== "win32";

export function embeddedPasswordFile(dataDir: string): string {
  return path.join(dataDir, FILE);
}

export function newEmbeddedPassword(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * For the process that opens the database: the stored password, or a new one. A file that
 * others could have read (or that is not ours, or a link) is replaced, since its password
 * may be known; only this process holds the socket, so no one is cut off who should not be.
 */
export function ensureEmbeddedPassword(dataDir: string): string {
  const file = embeddedPasswordFile(dataDir);
  const stored = readOwnPassword(file);
  if (stored.password) return stored.password;
  if (stored.unsafe) {
    console.warn(`${file} ${stored.unsafe}: replaced with a new password.`);
    rmSync(file, { force: true });
  }
  return createPasswordFile(file);
}

/** For clients of a running forum (CLI, scripts): the password its socket expects. */
export function readEmbeddedPassword(dataDir: string): string | undefined {
  try {
    return readFileSync(embeddedPasswordFile(dataDir), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

function readOwnPassword(file: string): { password?: string; unsafe?: string } {
  let fd: number;
  try {
    // O_NOFOLLOW: a link planted in the data folder must not choose which file we trust.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    if ((error as NodeJS.ErrnoException).code === "ELOOP") return { unsafe: "is a symbolic link" };
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { unsafe: "is not a regular file" };
    if (checkModes && (stat.mode & 0o077) !== 0) return { unsafe: `was readable by others (mode ${(stat.mode & 0o777).toString(8)})` };
    if (checkModes && process.getuid && stat.uid !== process.getuid()) return { unsafe: "belongs to another user" };
    const password = readFileSync(fd, "utf8").trim();
    return password.length >= 16 ? { password } : { unsafe: "held no usable password" };
  } finally {
    closeSync(fd);
  }
}

/**
 * Written under a temporary name created with O_EXCL and mode 0600, then linked into place:
 * the file is never readable by others, never seen half-written, and when two processes
 * start at once the first link wins and the second reads the winner's password.
 */
function createPasswordFile(file: string): string {
  const password = newEmbeddedPassword();
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, `${password}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    return password;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const winner = readOwnPassword(file).password;
    if (!winner) throw new Error(`${file} appeared while it was being created, and is not usable: remove it and start again.`);
    return winner;
  } finally {
    unlinkSync(tmp);
  }
}
