import path from "node:path";
import { paidTicket as paidTicketOverHttp } from "../helpers/paid-ticket";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, newMember, signIn } from "../helpers/http";
import { readMailbox } from "../helpers/mailbox";
import { startServer, type TestServer } from "../helpers/server";
import { gate } from "../helpers/support-world";
import { until } from "../helpers/wait";

// Availability over HTTP on the built server (docs/decisions/045): the status for anyone,
// the settings for the desk only, and 409 support_paused while intake is paused.

let server: TestServer;
let member: Client, other: Client, maintainer: Client, visitor: Client;
let threadId: string, threadUrl: string;

const paidTicket = async (client: Client) => (await paidTicketOverHttp(server, client, threadId)).ticketId;

beforeAll(async () => {
  server = await startServer({ seed: true });
  visitor = new Client(server.url);
  const threads = (await (await visitor.get("/api/v1/threads?category=pro")).json()).threads;
  [threadId, threadUrl] = [threads[0].id, threads[0].url];
  [member, other, maintainer] = await Promise.all([
    signIn(server, "member@backline.local"),
    signIn(server, "member2@backline.local"),
    signIn(server, "maintainer@backline.local"),
  ]);
});
afterAll(async () => {
  await server?.stop();
});

describe("support availability over the API", () => {
  it("tells anyone whether intake is open, per tier", async () => {
    const res = await visitor.get("/api/v1/support/status");
    expect(res.status).toBe(200);
    const status = await res.json();
    expect(status).toMatchObject({ open: true, reopensAt: null, waiting: expect.any(Number) });
    expect(status.tiers[0]).toEqual({
      id: expect.any(String),
      responseHours: expect.any(Number),
      medianFirstResponseHours: expect.toSatisfy((v: unknown) => v === null || typeof v === "number"),
      available: true,
      reopensAt: null,
    });
  });

  it("refuses members (403) and bad input (400, a message per field)", async () => {
    const body = { maxOpenTickets: 3, absences: [] };
    expect((await member.request("PUT", "/api/v1/support/availability", { json: body })).status).toBe(403);
    expect((await visitor.request("PUT", "/api/v1/support/availability", { json: body })).status).toBe(401);
    const bad = await maintainer.request("PUT", "/api/v1/support/availability", {
      json: {
        maxOpenTickets: -1,
        absences: [
          { from: "2020-01-01T00:00Z", to: "2020-01-02T00:00Z" },
          { from: "soon", to: "later" },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields).toEqual({
      maxOpenTickets: expect.any(String),
      "absences.0.to": "This absence is already over.",
      "absences.1.from": expect.stringContaining("date and time"),
      "absences.1.to": expect.stringContaining("date and time"),
    });
  });

  it("refuses a missing body (400), another content type (415), and other spellings of bad input (400 per field)", async () => {
    expect((await maintainer.request("PUT", "/api/v1/support/availability")).status).toBe(400);
    const raw = await fetch(`${server.url}/api/v1/support/availability`, {
      method: "PUT",
      headers: { "Content-Type": "text/plain", Cookie: maintainer.cookieHeader() },
      body: JSON.stringify({ maxOpenTickets: 3, absences: [] }),
    });
    expect(raw.status).toBe(415);
    const at = new Date(Date.now() + 48 * 3_600_000).toISOString();
    const bad = await maintainer.request("PUT", "/api/v1/support/availability", {
      json: {
        maxOpenTickets: 2.5,
        absences: [
          { from: at, to: at },
          { from: "12/24/2030", to: "2030-12-25T10:00Z" },
          { from: "2031-01-01T10:00Z", to: "2031-01-02T10:00Z" },
          { from: "2031-01-01T10:00Z", to: "2031-01-02T10:00Z" },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields).toEqual({
      maxOpenTickets: expect.stringContaining("whole number"),
      "absences.0.to": "The end must be after the start.",
      "absences.1.from": expect.stringContaining("ISO date and time"),
      "absences.3.from": "Overlaps absence 3; merge the two.",
    });
    expect((await maintainer.request("PUT", "/api/v1/support/availability", { json: { maxOpenTickets: 1e6, absences: [] } })).status).toBe(
      400,
    );
  });

  it("answers 409 support_paused at capacity, takes a reopen request, and reopens (and mails) once a ticket is declined", async () => {
    const held = (await (await maintainer.get("/api/v1/desk/queue")).json()).counts.total as number;
    const saved = await maintainer.request("PUT", "/api/v1/support/availability", { json: { maxOpenTickets: held + 1, absences: [] } });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ maxOpenTickets: held + 1, tierLimits: [], absences: [] });

    const ticketId = await paidTicket(member);
    expect(await (await visitor.get("/api/v1/support/status")).json()).toMatchObject({ open: false, reopensAt: null });
    const refused = await other.post(`/api/v1/threads/${threadId}/escalations`, gate());
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      error: { code: "support_paused", message: expect.stringContaining("paused"), reopensAt: null },
    });
    expect((await other.post("/api/v1/support/reopen-requests", {})).status).toBe(201);

    const rejected = await maintainer.post(`/api/v1/tickets/${ticketId}/reject`, {
      reason: "duplicate",
      message: "Answered in the other ticket on this thread.",
    });
    expect(rejected.status).toBe(200);
    expect((await (await visitor.get("/api/v1/support/status")).json()).open).toBe(true);
    const mailbox = path.join(server.dataDir, "mailbox");
    const mail = await until("the reopen e-mail", () =>
      readMailbox(mailbox, "member2@backline.local").find((m) => m.includes("open again")),
    );
    expect(mail).toContain("Subject: Paid support is open again");
    expect((await other.post("/api/v1/support/reopen-requests", {})).status).toBe(409);
  });
});

describe("support availability on the pages members see", () => {
  /**
   * What "Get paid support" says to this member: the thread page is the cached shared page plus the member's
   * state in its viewer slot (docs/decisions/042), and the page rendered whole (no JavaScript) must agree.
   */
  const stub = async (client: Client) => {
    const html = await (await client.get(threadUrl)).text();
    const slot = /<div id="viewer-state" hidden=""><script[^>]*>(.*?)<\/script>/s.exec(html)?.[1];
    expect(slot, "the member's state in the shared page").toBeDefined();
    const paused = JSON.parse(slot!).thread.support.paused as { reopensAt: string | null } | null;
    const whole = await (await client.get(`${threadUrl}?view=full`)).text();
    const said = /data-testid="support-intake">([^<]*)</.exec(whole)?.[1] ?? "";
    expect(said.startsWith("Paused"), "the page rendered whole says the same").toBe(paused !== null);
    return paused ? said : "open: " + said;
  };
  const gatePage = async (client: Client) => (await client.get(`/escalate/${threadId}`)).text();
  const setLimit = async (maxOpenTickets: number | null) =>
    expect((await maintainer.request("PUT", "/api/v1/support/availability", { json: { maxOpenTickets, absences: [] } })).status).toBe(200);
  const heldNow = async () => (await (await maintainer.get("/api/v1/desk/queue")).json()).counts.total as number;

  it("an absence inside the 48-hour deadline pauses that tier alone: the thread page and the gate say so, the API refuses it", async () => {
    const to = new Date(Date.now() + 72 * 3_600_000);
    const absences = [{ from: new Date(Date.now() + 24 * 3_600_000).toISOString(), to: to.toISOString(), note: "Conference" }];
    expect((await maintainer.request("PUT", "/api/v1/support/availability", { json: { maxOpenTickets: null, absences } })).status).toBe(
      200,
    );
    const status = await (await visitor.get("/api/v1/support/status")).json();
    expect(status).toMatchObject({ open: true, reopensAt: null });
    expect(
      status.tiers.map((t: { responseHours: number; available: boolean; reopensAt: string | null }) => [
        t.responseHours,
        t.available,
        t.reopensAt,
      ]),
    ).toEqual([
      [48, false, to.toISOString()],
      [12, true, null],
    ]);
    expect(await stub(other)).toMatch(/^open: .*The 48-hour tier is paused until .* UTC\.$/);
    const page = await gatePage(other);
    expect(page).toContain("Continue to payment");
    expect(page).toMatch(/Paused until [^;]* UTC; /);
    const refused = await other.post(`/api/v1/threads/${threadId}/escalations`, gate({ tier: "standard" }));
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      error: { code: "support_paused", message: expect.stringContaining("away"), reopensAt: to.toISOString() },
    });
    await setLimit(null);
  });

  it("an absence holding a sold ticket's deadline warns on the desk queue and the availability page; the ticket keeps its deadline", async () => {
    const ticketId = await paidTicket(member);
    const before = (await (await member.get(`/api/v1/tickets/${ticketId}`)).json()) as { deadlineAt: string };
    const absences = [
      { from: new Date(Date.now() + 3_600_000).toISOString(), to: new Date(Date.now() + 100 * 3_600_000).toISOString(), note: "Holiday" },
    ];
    expect((await maintainer.request("PUT", "/api/v1/support/availability", { json: { maxOpenTickets: null, absences } })).status).toBe(
      200,
    );
    for (const page of ["/desk", "/desk/availability"]) {
      const html = await (await maintainer.get(page)).text();
      expect(html, page).toContain("holds the deadlines of tickets already sold");
      expect(html, page).toContain(`href="/tickets/${ticketId}"`);
      expect(html, page).toContain("(Holiday)");
    }
    const after = (await (await member.get(`/api/v1/tickets/${ticketId}`)).json()) as { deadlineAt: string };
    expect(before.deadlineAt).toEqual(expect.any(String));
    expect(after.deadlineAt).toBe(before.deadlineAt);
    expect(
      (await maintainer.post(`/api/v1/tickets/${ticketId}/reject`, { reason: "duplicate", message: "Answered in the other ticket." }))
        .status,
    ).toBe(200);
    expect(await (await maintainer.get("/desk")).text()).not.toContain("holds the deadlines of tickets already sold");
    await setLimit(null);
  });

  it("a tier limit set on the desk form pauses that tier alone until its ticket is declined", async () => {
    const [standard, priority] = (await (await visitor.get("/api/v1/support/status")).json()).tiers as { id: string }[];
    const saved = await maintainer.request("POST", "/desk/availability", {
      form: { maxOpenTickets: "", [`tierLimits.${standard!.id}`]: "", [`tierLimits.${priority!.id}`]: "1" },
    });
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain("Availability saved.");
    expect(await (await maintainer.get("/api/v1/support/availability")).json()).toEqual({
      maxOpenTickets: null,
      tierLimits: [{ id: priority!.id, maxOpenTickets: 1 }],
      absences: [],
    });
    const ticketId = (await paidTicketOverHttp(server, member, threadId, gate({ tier: "priority" }))).ticketId;
    const status = await (await visitor.get("/api/v1/support/status")).json();
    expect(status.tiers.map((t: { available: boolean }) => t.available)).toEqual([true, false]);
    expect(await stub(other)).toMatch(/The 12-hour tier is paused until a place frees up\.$/);
    expect((await other.post(`/api/v1/threads/${threadId}/escalations`, gate({ tier: "priority" }))).status).toBe(409);
    expect(
      (await maintainer.post(`/api/v1/tickets/${ticketId}/reject`, { reason: "duplicate", message: "Answered in the other ticket." }))
        .status,
    ).toBe(200);
    expect((await (await visitor.get("/api/v1/support/status")).json()).tiers[1].available).toBe(true);
    // A body of the first contract (no tierLimits) keeps the tiers' own limits; an empty list clears them.
    await setLimit(null);
    expect((await (await maintainer.get("/api/v1/support/availability")).json()).tierLimits).toEqual([
      { id: priority!.id, maxOpenTickets: 1 },
    ]);
    const cleared = await maintainer.request("PUT", "/api/v1/support/availability", {
      json: { maxOpenTickets: null, tierLimits: [], absences: [] },
    });
    expect((await cleared.json()).tierLimits).toEqual([]);
  });

  it("a reject and a resolve reopen the thread page and the gate at once; the gate's HTML form and a re-escalation after a decline refuse while paused", async () => {
    const third = await newMember(server, "avail");
    await setLimit((await heldNow()) + 1);
    // Seen once while open, so the thread page's intake is in its cache when the queue fills.
    expect(await stub(other)).toContain("charged only if they accept");
    const first = await paidTicket(member);
    expect(await stub(other)).toMatch(/^Paused: the maintainer takes no new tickets until a place frees up/);
    expect(await gatePage(other)).toContain("Paid support is paused");

    // The gate's HTML form (no JavaScript) is refused too: the paused card with the reason, no checkout.
    const form = { ...gate(), acceptScope: "on", tier: "priority" } as Record<string, string>;
    const viaForm = await other.request("POST", `/escalate/${threadId}`, { form });
    expect(viaForm.status).toBe(409);
    expect(await viaForm.text()).toContain("Paid support is paused: the maintainer holds as many open tickets");

    // Declined: the thread page and the gate reopen on the very next request, whatever was cached.
    expect(
      (await maintainer.post(`/api/v1/tickets/${first}/reject`, { reason: "duplicate", message: "Answered in the other ticket." })).status,
    ).toBe(200);
    expect(await stub(other)).toContain("charged only if they accept");
    expect(await gatePage(other)).toContain("Continue to payment");

    // Full again with someone else's ticket: the member whose ticket was declined cannot escalate again while paused.
    const second = await paidTicket(third);
    expect(await stub(member)).toMatch(/^Paused/);
    const again = await member.post(`/api/v1/threads/${threadId}/escalations`, gate({ tier: "priority" }));
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("support_paused");

    // Resolved: open at once as well.
    expect((await maintainer.post(`/api/v1/tickets/${second}/accept`, {})).status).toBe(200);
    expect(await stub(member)).toMatch(/^Paused/);
    expect((await maintainer.post(`/api/v1/tickets/${second}/resolve`, { message: "Fixed in 3.2.2, see the changelog." })).status).toBe(
      200,
    );
    expect(await stub(member)).toContain("charged only if they accept");
    expect(await gatePage(member)).toContain("Continue to payment");
    await setLimit(null);
  });
});
