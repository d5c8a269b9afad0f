import { paidTicket as paidTicketOverHttp } from "../helpers/paid-ticket";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";

// Issue 14 over HTTP on the built app in test mode: the owner withdraws (API
// and page), the maintainer asks before accepting, the clock stops at the first
// message, and the money trail is the desk's alone.

let server: TestServer;
let owner: Client, maintainer: Client, other: Client;
let threads: { id: string }[];

const paidTicket = async (client: Client, threadId: string) => (await paidTicketOverHttp(server, client, threadId)).ticketId;

beforeAll(async () => {
  server = await startServer({ seed: true });
  threads = (await (await new Client(server.url).get("/api/v1/threads?category=pro")).json()).threads;
  [owner, maintainer, other] = await Promise.all([
    signIn(server, "member@backline.local"),
    signIn(server, "maintainer@backline.local"),
    signIn(server, "member2@backline.local"),
  ]);
});
afterAll(async () => {
  await server?.stop();
});

describe("withdraw", () => {
  it("the owner withdraws over the API: 200 withdrawn, released, and only once", async () => {
    const id = await paidTicket(owner, threads[0]!.id);
    expect((await maintainer.post(`/api/v1/tickets/${id}/withdraw`, {})).status).toBe(403);
    expect((await other.post(`/api/v1/tickets/${id}/withdraw`, {})).status).toBe(404);
    const tooLong = await owner.post(`/api/v1/tickets/${id}/withdraw`, { reason: "x".repeat(2_001) });
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).error.fields).toEqual({ reason: expect.stringMatching(/At most/) });

    const res = await owner.post(`/api/v1/tickets/${id}/withdraw`, { reason: "Solved it myself." });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      state: "withdrawn",
      withdrawReason: "Solved it myself.",
      payment: { status: "canceled" },
      clock: { timeLeftMs: null },
    });
    const again = await owner.post(`/api/v1/tickets/${id}/withdraw`, {});
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toMatch(/cannot be withdrawn/);
    expect((await (await owner.get("/api/v1/tickets?state=withdrawn")).json()).map((t: { id: string }) => t.id)).toContain(id);
  });

  it("the ticket page offers the owner a withdraw behind a confirmation, and the form withdraws", async () => {
    const id = await paidTicket(owner, threads[1]!.id);
    const page = await (await owner.get(`/tickets/${id}`)).text();
    expect(page).toContain("Withdraw this ticket");
    expect(page).toContain("Yes, withdraw and release the authorisation");
    expect(await (await maintainer.get(`/tickets/${id}`)).text()).not.toContain("Withdraw this ticket");
    const posted = await owner.request("POST", `/tickets/${id}`, { form: { intent: "withdraw", reason: "" } });
    expect(posted.status).toBeLessThan(400);
    expect((await (await owner.get(`/api/v1/tickets/${id}`)).json()).state).toBe("withdrawn");
    expect(await (await owner.get(`/tickets/${id}`)).text()).toMatch(/Withdrawn by (<!-- -->)?you/);
  });
});

describe("asking before accepting, the stopped clock, and the trail", () => {
  it("runs ask → member answers → accept with the clock answered, and shows the trail to the desk only", async () => {
    // The seed has two supported threads; the ones withdrawn above are free again.
    const id = await paidTicket(owner, threads[0]!.id);
    const running = await (await maintainer.get(`/api/v1/tickets/${id}`)).json();
    expect(running.clock).toMatchObject({ answered: false, timeLeftMs: expect.any(Number) });
    expect(await (await maintainer.get(`/tickets/${id}`)).text()).toContain("Send and ask for info");

    const asked = await maintainer.post(`/api/v1/tickets/${id}/request-info`, { message: "Which proxy sits in front of the app?" });
    expect(asked.status).toBe(200);
    expect(await asked.json()).toMatchObject({
      state: "waiting_on_customer",
      clock: { paused: true, answered: true, timeLeftMs: null, text: expect.stringMatching(/^answered in /) },
    });
    expect((await owner.post(`/api/v1/tickets/${id}/messages`, { body: "nginx 1.24 with default settings." })).status).toBe(201);
    expect((await (await owner.get(`/api/v1/tickets/${id}`)).json()).state).toBe("awaiting_acceptance");
    // Still undecided: the owner can withdraw, the maintainer accept (here: accept).
    const accepted = await maintainer.post(`/api/v1/tickets/${id}/accept`, {});
    expect(await accepted.json()).toMatchObject({ state: "open", payment: { status: "captured" }, clock: { answered: true } });
  });

  it("shows an accepted ticket's money trail on the desk's JSON and page, never the owner's", async () => {
    const payer = other;
    const id = await paidTicket(payer, threads[1]!.id);
    expect((await maintainer.post(`/api/v1/tickets/${id}/accept`, { message: "On it." })).status).toBe(200);
    const desk = await (await maintainer.get(`/api/v1/tickets/${id}`)).json();
    expect(desk.moneyTrail.map((e: { kind: string }) => e.kind)).toEqual(["authorised", "capture_requested", "captured"]);
    expect(desk.moneyTrail[1]).toMatchObject({ actor: expect.any(String), amountCents: desk.payment.amountCents });
    expect(desk.moneyTrail.map((e: { actor: string | null }) => e.actor)).toEqual([null, desk.moneyTrail[1].actor, null]);
    const deskPage = await (await maintainer.get(`/tickets/${id}`)).text();
    expect(deskPage).toContain('id="money-title"');
    expect(deskPage).toContain("Accepted: capture requested");

    const mine = await (await payer.get(`/api/v1/tickets/${id}`)).json();
    expect(mine).not.toHaveProperty("moneyTrail");
    expect(mine.payment).toMatchObject({ status: "captured" });
    const ownerPage = await (await payer.get(`/tickets/${id}`)).text();
    expect(ownerPage).not.toContain("moneyTrail");
    expect(ownerPage).not.toContain('id="money-title"');
    expect(ownerPage).not.toContain("Accepted: capture requested");
  });
});
