import { spawn } from "node:child_process";
import { chmodSync, readFileSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";

// The embedded database listens on a loopback port. Every local user and process can reach
// it, and so can a browser page that rebinds its own host name to 127.0.0.1. Whoever gets a
// session there reads and writes every row (password hashes, sessions, ticket text), so the
// socket must want the password the forum keeps in DATA_DIR/db-password, like a PostgreSQL
// server would. PGlite only: with DATABASE_URL the server's own authentication applies.

const postgres = process.env.TEST_DB_KIND === "postgres";
const root = path.resolve(__dirname, "../..");

type Message = { type: string; body: Buffer };

/** A raw wire-protocol conversation, to do what a client library would refuse to do. */
function rawConnection(address: URL) {
  const socket = net.connect(Number(address.port), address.hostname);
  let buffer = Buffer.alloc(0);
  const messages: Message[] = [];
  let wake = () => {};
  let closed = false;
  socket.on("data", (data) => {
    buffer = Buffer.concat([buffer, data]);
    while (buffer.length >= 5 && buffer.length >= 1 + buffer.readInt32BE(1)) {
      const length = buffer.readInt32BE(1);
      messages.push({ type: String.fromCharCode(buffer[0]!), body: buffer.subarray(5, 1 + length) });
      buffer = buffer.subarray(1 + length);
    }
    wake();
  });
  socket.on("error", () => {});
  const whenClosed = new Promise<void>((resolve) =>
    socket.on("close", () => {
      closed = true;
      wake();
      resolve();
    }),
  );
  return {
    socket,
    whenClosed,
    /** The next message from the server, or undefined once it has closed the connection. */
    async next(): Promise<Message | undefined> {
      while (!messages.length && !closed) await new Promise<void>((r) => (wake = r));
      return messages.shift();
    },
    startup(user: string) {
      const params = Buffer.from(`user\0${user}\0database\0postgres\0\0`);
      const head = Buffer.alloc(8);
      head.writeInt32BE(8 + params.length, 0);
      head.writeInt32BE(196608, 4);
      socket.write(Buffer.concat([head, params]));
    },
    send(type: string, body: Buffer) {
      const head = Buffer.alloc(5);
      head.write(type, 0);
      head.writeInt32BE(body.length + 4, 1);
      socket.write(Buffer.concat([head, body]));
    },
  };
}

const sqlState = (message: Message | undefined) => {
  if (message?.type !== "E") return undefined;
  return /(?:^|\0)C([0-9A-Z]{5})\0/.exec(message.body.toString("latin1"))?.[1];
};

/** Everything the server says until it closes the connection. */
async function drain(conn: ReturnType<typeof rawConnection>) {
  const seen: Message[] = [];
  for (let m = await conn.next(); m; m = await conn.next()) seen.push(m);
  return seen;
}

async function connectWith(url: URL) {
  const client = new pg.Client({ connectionString: url.toString() });
  client.on("error", () => {});
  try {
    await client.connect();
    const { rows } = await client.query(`select count(*)::int as n from "User"`);
    return { ok: true as const, rows };
  } catch (error) {
    return { ok: false as const, code: (error as { code?: string }).code, message: (error as Error).message };
  } finally {
    await client.end().catch(() => {});
  }
}

function runCli(server: TestServer, args: string[]) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "app/cli.mts", ...args], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NODE_ENV: "production",
        DATA_DIR: server.dataDir,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe.skipIf(postgres)("The embedded database's socket wants the forum's password (PGlite only)", () => {
  let server: TestServer;
  let forumUrl: URL;
  const passwordFile = () => path.join(server.dataDir, "db-password");

  beforeAll(async () => {
    server = await startServer();
    forumUrl = new URL(server.databaseUrl());
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("lets the forum's own connection string in", async () => {
    const result = await connectWith(forumUrl);
    expect(result).toMatchObject({ ok: true });
  });

  it("lets the page cache's own client in (it serves visitors from the cache only while it reads the content version)", async () => {
    const visitor = new Client(server.url);
    let cache: string | null = null;
    // The first visit may land before the first version poll; each visit is a fresh try.
    for (let visit = 0; visit < 50 && cache !== "HIT"; visit++) {
      const res = await visitor.get("/latest");
      await res.arrayBuffer();
      cache = res.headers.get("x-cache");
    }
    expect(cache).toBe("HIT");
  });

  it("answers a startup message with a password challenge, and a query sent instead of a password with 28P01 and a closed connection", async () => {
    const conn = rawConnection(forumUrl);
    conn.startup("postgres");
    const first = await conn.next();
    // AuthenticationSASL (10) offering SCRAM-SHA-256, never AuthenticationOk (0).
    expect(first?.type).toBe("R");
    expect(first!.body.readInt32BE(0)).toBe(10);
    expect(first!.body.subarray(4).toString()).toContain("SCRAM-SHA-256");
    conn.send("Q", Buffer.from(`select "passwordHash" from "User"\0`));
    const rest = await drain(conn);
    expect(rest.map((m) => m.type)).toEqual(["E"]);
    expect(sqlState(rest[0])).toBe("28P01");
    await conn.whenClosed;
  });

  it("refuses a cleartext or empty password the same way", async () => {
    for (const password of ["", "postgres", readFileSync(passwordFile(), "utf8").trim()]) {
      const conn = rawConnection(forumUrl);
      conn.startup("postgres");
      await conn.next();
      // A PasswordMessage is not a SCRAM exchange, even when it holds the right password.
      conn.send("p", Buffer.from(`${password}\0`));
      const rest = await drain(conn);
      expect(
        rest.map((m) => m.type),
        JSON.stringify(password.slice(0, 3)),
      ).toEqual(["E"]);
      expect(sqlState(rest[0])).toBe("28P01");
    }
  });

  it("refuses a missing, wrong or default password with 28P01", async () => {
    for (const password of [
      "postgres",
      "wrong",
      `${decodeURIComponent(forumUrl.password)}x`,
      decodeURIComponent(forumUrl.password).slice(1),
    ]) {
      const url = new URL(forumUrl);
      url.password = password;
      const result = await connectWith(url);
      expect(result, `password ${password.slice(0, 8)}…`).toMatchObject({ ok: false, code: "28P01" });
    }
    const noPassword = new URL(forumUrl);
    noPassword.password = "";
    noPassword.username = "postgres";
    // pg itself refuses to start SCRAM without a password; on the old socket it got straight in.
    expect(await connectWith(noPassword)).toMatchObject({ ok: false });
  });

  it("refuses another user name, even with the right password", async () => {
    for (const user of ["admin", "Postgres", "postgres "]) {
      const url = new URL(forumUrl);
      url.username = user;
      expect(await connectWith(url), user).toMatchObject({ ok: false, code: "28P01" });
    }
  });

  it("closes a connection that speaks HTTP (a browser page rebound to 127.0.0.1) at once", async () => {
    const conn = rawConnection(forumUrl);
    conn.socket.write(
      `POST / HTTP/1.1\r\nHost: attacker.example:${forumUrl.port}\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\nselect 1`,
    );
    const seen = await drain(conn);
    expect(seen.every((m) => m.type === "E")).toBe(true);
    await conn.whenClosed;
  });

  it("keeps the password in DATA_DIR/db-password, readable and writable by its owner only", () => {
    const stat = statSync(passwordFile());
    expect((stat.mode & 0o777).toString(8)).toBe("600");
    expect(readFileSync(passwordFile(), "utf8").trim()).toBe(decodeURIComponent(forumUrl.password));
    expect(statSync(path.join(server.dataDir, "pglite")).mode & 0o077).toBe(0);
    // The file that tells other processes where the socket is holds no secret.
    expect(readFileSync(path.join(server.dataDir, "embedded.json"), "utf8")).not.toContain(decodeURIComponent(forumUrl.password));
  });

  it("lets the command-line tool create an account in the running forum, who can then sign in", async () => {
    const email = `cli${Date.now()}@example.com`;
    const password = "correct horse battery staple";
    const cli = await runCli(server, [
      "user:create",
      "--email",
      email,
      "--username",
      `cli_${Date.now().toString(36)}`,
      "--password",
      password,
    ]);
    expect(cli.output).toMatch(/Created member/);
    expect(cli.code).toBe(0);
    const res = await new Client(server.url).post("/api/v1/session", { email, password });
    expect(res.status).toBe(200);
  });

  it("keeps the password across a restart, and replaces one that others could read", async () => {
    const before = readFileSync(passwordFile(), "utf8");
    await server.signal("SIGTERM");
    await server.restart();
    expect(readFileSync(passwordFile(), "utf8")).toBe(before);
    expect(await connectWith(new URL(server.databaseUrl()))).toMatchObject({ ok: true });

    chmodSync(passwordFile(), 0o644);
    await server.signal("SIGTERM");
    await server.restart();
    const after = readFileSync(passwordFile(), "utf8");
    expect(after).not.toBe(before);
    expect((statSync(passwordFile()).mode & 0o777).toString(8)).toBe("600");
    const stale = new URL(server.databaseUrl());
    stale.password = encodeURIComponent(before.trim());
    expect(await connectWith(stale)).toMatchObject({ ok: false, code: "28P01" });
    expect(await connectWith(new URL(server.databaseUrl()))).toMatchObject({ ok: true });
  });
});
