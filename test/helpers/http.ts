import { expect } from "vitest";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";

/** A tiny client that keeps cookies like a browser, for HTTP tests. */
export class Client {
  private cookies = new Map<string, string>();
  constructor(public base: string) {}

  async request(
    method: string,
    path: string,
    opts: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(opts.form).toString();
    }
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(this.base + path, { method, headers, body, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [name, ...value] = pair!.split("=");
      const v = value.join("=");
      if (!v || /expires=Thu, 01 Jan 1970/i.test(c) || /max-age=0/i.test(c)) this.cookies.delete(name!);
      else this.cookies.set(name!, v);
    }
    return res;
  }

  get = (path: string, headers?: Record<string, string>) => this.request("GET", path, { headers });
  post = (path: string, json?: unknown, headers?: Record<string, string>) => this.request("POST", path, { json: json ?? {}, headers });
  hasCookie = (name: string) => this.cookies.has(name);
  /** The Cookie header this client sends, for requests made without it (raw bodies, node:http). */
  cookieHeader = () => [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}

/** A new client signed in over the API, as a demo account unless another password is given. */
export async function signIn(server: { url: string }, user: string | { email: string }, password = DEMO_PASSWORD): Promise<Client> {
  const client = new Client(server.url);
  const email = typeof user === "string" ? user : user.email;
  expect((await client.post("/api/v1/session", { email, password })).status, `sign-in of ${email}`).toBe(200);
  return client;
}

/** The password of every account the tests make (factories, sign-ups over the API). */
export const TEST_PASSWORD = "a long passphrase 42";

let accounts = 0;
/** A new member, signed up over the API as anyone can, and signed in; `prefix` names the account after the test. */
export async function newMember(server: { url: string }, prefix: string): Promise<Client & { email: string }> {
  accounts += 1;
  const account = { username: `${prefix}_${accounts}`, email: `${prefix}${accounts}@example.com`, password: TEST_PASSWORD };
  expect((await new Client(server.url).post("/api/v1/users", account)).status).toBe(201);
  return Object.assign(await signIn(server, account, TEST_PASSWORD), { email: account.email });
}
