import path from "node:path";
import { paidTicket as paidTicketOverHttp } from "../helpers/paid-ticket";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, signIn } from "../helpers/http";
import { readMailbox } from "../helpers/mailbox";
import { startServer, type TestServer } from "../helpers/server";
import { gate } from "../helpers/support-world";
import { until } from "../helpers/wait";

// Availability over HTTP on the built server (docs/decisions/045): the status for anyone,
// the settings for the desk only, and 409 support_paused while intake is paused.

let server: TestServer;
let member: Client, other: Client, maintainer: Client, visitor: Client;
let threadId: string;

const paidTicket = async (client: Client) => (await paidTicketOverHttp(server, client, threadId)).ticketId;

beforeAll(async () => {
  server = await startServer({ seed: true });
  visitor = new Client(server.url);
  threadId = (await (await visitor.get("/api/v1/threads?category=pro")).json()).threads[0].id;
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

  it("answers 409 support_paused at capacity, takes a reopen request, and reopens (and mails) once a ticket is declined", async () => {
    const held = (await (await maintainer.get("/api/v1/desk/queue")).json()).counts.total as number;
    const saved = await maintainer.request("PUT", "/api/v1/support/availability", { json: { maxOpenTickets: held + 1, absences: [] } });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ maxOpenTickets: held + 1, absences: [] });

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
