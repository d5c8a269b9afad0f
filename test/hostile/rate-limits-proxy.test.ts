import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "~/env.server";
import { addressKey } from "~/server/client-address";
import { Client, TEST_PASSWORD } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";

// Hostile world, rate limits behind a load balancer (issue 13 §8). Every
// request reached the app from the balancer's address, so everyone shared one
// budget: twenty failed sign-ins with made-up e-mails locked the admin out,
// and one member's searches blocked search for everybody. This test file plays
// the load balancer itself (it connects from 127.0.0.1 and writes
// X-Forwarded-For as a proxy appends to it).

const SEARCHES = 3;
let probe = 0;

/** A search nobody asked before: visitors' search results are cached, and a cached answer costs no budget. */
const search = (client: Client, xff?: string, extra: Record<string, string> = {}) =>
  client.get(`/api/v1/search?q=probe${probe++}`, { ...(xff ? { "X-Forwarded-For": xff } : {}), ...extra });

async function signUp(server: TestServer, username: string, xff: string) {
  const client = new Client(server.url);
  const headers = { "X-Forwarded-For": xff };
  const created = await client.request("POST", "/api/v1/users", {
    json: { username, email: `${username}@example.com`, password: TEST_PASSWORD },
    headers,
  });
  expect(created.status).toBe(201);
  const session = await client.request("POST", "/api/v1/session", {
    json: { email: `${username}@example.com`, password: TEST_PASSWORD },
    headers,
  });
  expect(session.status).toBe(200);
  return client;
}

async function useUpSearches(client: Client, xff?: string) {
  for (let i = 0; i < SEARCHES; i++) expect((await search(client, xff)).status).toBe(200);
  const refused = await search(client, xff);
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
}

describe("behind one trusted proxy hop (TRUST_PROXY=1)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { TRUST_PROXY: "1", SEARCH_RATE_PER_MINUTE: String(SEARCHES) } });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("gives each client address its own search budget", async () => {
    await useUpSearches(new Client(server.url), "203.0.113.1");
    expect((await search(new Client(server.url), "203.0.113.2")).status).toBe(200);
  });

  it("ignores an address a client writes in front of the one the proxy saw", async () => {
    const client = new Client(server.url);
    await useUpSearches(client, "203.0.113.10");
    for (const spoof of ["198.51.100.1", "10.0.0.1", "127.0.0.1", "::1", "unknown, 198.51.100.2"]) {
      expect((await search(client, `${spoof}, 203.0.113.10`)).status, spoof).toBe(429);
    }
    // Nor does a header named like the one the server sets for itself.
    expect((await search(client, "203.0.113.10", { "X-Backline-Client-IP": "198.51.100.9" })).status).toBe(429);
  });

  it("counts one IPv6 subscriber's /64, and an IPv4-mapped address as the IPv4 one", async () => {
    const client = new Client(server.url);
    await useUpSearches(client, "2001:db8:1:2::1");
    expect((await search(client, "2001:db8:1:2:ffff::9")).status).toBe(429);
    expect((await search(client, "2001:db8:1:3::1")).status).toBe(200);
    await useUpSearches(client, "203.0.113.20");
    expect((await search(client, "::ffff:203.0.113.20")).status).toBe(429);
  });

  it("does not let a flood of failed sign-ins from one client lock out another", async () => {
    const admin = `admin_${Date.now()}`;
    const adminClient = new Client(server.url);
    expect(
      (
        await adminClient.request("POST", "/api/v1/users", {
          json: { username: admin, email: `${admin}@example.com`, password: TEST_PASSWORD },
          headers: { "X-Forwarded-For": "203.0.113.99" },
        })
      ).status,
    ).toBe(201);
    const attacker = new Client(server.url);
    const guesses = [];
    for (let i = 0; i < 21; i++) {
      guesses.push(
        (
          await attacker.request("POST", "/api/v1/session", {
            json: { email: `nobody${i}@example.com`, password: "not the password" },
            headers: { "X-Forwarded-For": "203.0.113.66" },
          })
        ).status,
      );
    }
    expect(guesses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(guesses[20]).toBe(429);
    const signIn = await adminClient.request("POST", "/api/v1/session", {
      json: { email: `${admin}@example.com`, password: TEST_PASSWORD },
      headers: { "X-Forwarded-For": "203.0.113.99" },
    });
    expect(signIn.status).toBe(200);
  });

  it("counts a signed-in member's searches on the account, not on the address they share", async () => {
    const office = "203.0.113.50";
    const busy = await signUp(server, `busy_${Date.now()}`, office);
    const colleague = await signUp(server, `colleague_${Date.now()}`, office);
    await useUpSearches(busy, office);
    expect((await search(colleague, office)).status).toBe(200);
    // A visitor at the same address still has the address's own budget.
    expect((await search(new Client(server.url), office)).status).toBe(200);
    // And the member's budget goes with the account, from any address.
    expect((await search(busy, "198.51.100.77")).status).toBe(429);
  });
});

describe("behind proxies named by address (TRUST_PROXY=127.0.0.1,10.0.0.0/8)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { TRUST_PROXY: "127.0.0.1,10.0.0.0/8", SEARCH_RATE_PER_MINUTE: String(SEARCHES) } });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("takes the first address no trusted proxy owns, right to left", async () => {
    const client = new Client(server.url);
    await useUpSearches(client, "203.0.113.1, 10.1.2.3");
    expect((await search(client, "198.51.100.1, 203.0.113.1, 10.9.9.9")).status).toBe(429);
    expect((await search(client, "203.0.113.1")).status).toBe(429);
    expect((await search(client, "203.0.113.2, 10.1.2.3")).status).toBe(200);
  });
});

describe("without TRUST_PROXY", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { SEARCH_RATE_PER_MINUTE: String(SEARCHES) } });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("keys visitors on the connecting address: a made-up X-Forwarded-For changes nothing", async () => {
    const client = new Client(server.url);
    await useUpSearches(client, "203.0.113.1");
    expect((await search(client, "203.0.113.2")).status).toBe(429);
    expect((await search(client)).status).toBe(429);
  });

  it("still lets a signed-in member search when visitors at the same address used up theirs", async () => {
    const member = await signUp(server, `member_${Date.now()}`, "203.0.113.3");
    expect((await search(member)).status).toBe(200);
  });
});

describe("TRUST_PROXY and client addresses", () => {
  it("accepts a hop count or proxy addresses, and refuses anything that would trust every client", () => {
    expect(parseEnv({}).TRUST_PROXY).toBe(false);
    expect(parseEnv({ TRUST_PROXY: "false" }).TRUST_PROXY).toBe(false);
    expect(parseEnv({ TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    expect(parseEnv({ TRUST_PROXY: " 10.0.0.0/8, 127.0.0.1 ,::1,loopback" }).TRUST_PROXY).toEqual([
      "10.0.0.0/8",
      "127.0.0.1",
      "::1",
      "loopback",
    ]);
    for (const bad of ["true", "yes", "10.0.0.0/33", "proxy.example", "1.2.3", "10.0.0.0/8,*"]) {
      expect(() => parseEnv({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
  });

  it("counts one client under one key whatever the spelling of its address", () => {
    expect(addressKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(addressKey("192.0.2.1")).toBe("192.0.2.1");
    expect(addressKey("2001:db8:0:1::1")).toBe(addressKey("2001:0db8:0000:0001:ffff:ffff:ffff:ffff"));
    expect(addressKey("2001:db8:0:1::1")).not.toBe(addressKey("2001:db8:0:2::1"));
    expect(addressKey("fe80::1%eth0")).toBe(addressKey("fe80::2"));
    expect(addressKey(undefined)).toBe("unknown");
  });
});
