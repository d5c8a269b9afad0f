import { paidTicket as paidTicketOverHttp } from "../helpers/paid-ticket";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, newMember, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { gate } from "../helpers/support-world";

// Issue 18 over HTTP: the words about money per state and reader, the public
// thread after a declined request, publish-back declined, and the gate that
// keeps the member's answers and marks every invalid field.

let server: TestServer;
let owner: Client, maintainer: Client, visitor: Client;
let threads: { id: string; url: string }[];

const text = async (res: Response) => (await res.text()).replaceAll("<!-- -->", "");

const paidTicket = async (client: Client, threadId: string) => (await paidTicketOverHttp(server, client, threadId)).ticketId;

beforeAll(async () => {
  server = await startServer({ seed: true });
  visitor = new Client(server.url);
  threads = (await (await visitor.get("/api/v1/threads?category=pro")).json()).threads;
  [owner, maintainer] = await Promise.all([signIn(server, "member@backline.local"), signIn(server, "maintainer@backline.local")]);
});
afterAll(async () => {
  await server?.stop();
});

describe("words about money", () => {
  it("tells the member a hold is not a charge, and keeps the member's promise from the maintainer", async () => {
    const id = await paidTicket(owner, threads[0]!.id);
    const mine = await (await owner.get(`/api/v1/tickets/${id}`)).json();
    expect(mine.payment).toMatchObject({ funding: "card", summary: expect.stringMatching(/^Card authorised \(not charged yet\)/) });
    expect(mine.payment.summary).toContain("you are charged only if the maintainer accepts");
    const desk = await (await maintainer.get(`/api/v1/tickets/${id}`)).json();
    expect(desk.payment.summary).toBe("Card authorised (not charged yet): accepting the ticket charges it.");
    const deskPage = await text(await maintainer.get(`/tickets/${id}`));
    expect(deskPage).not.toContain("charged only if");
    expect(deskPage).not.toMatch(/>Paid\.?</);
    expect(await text(await owner.get("/tickets"))).toContain("held, not charged yet");

    expect((await maintainer.post(`/api/v1/tickets/${id}/accept`, {})).status).toBe(200);
    const accepted = await (await owner.get(`/api/v1/tickets/${id}`)).json();
    expect(accepted.payment.summary).toMatch(/^(Paid by card\.|Accepted: your card is being charged\.)$/);
  });

  it("leaves no 'Escalated' behind on a public thread after a rejection: it says what happened", async () => {
    const thread = threads[1]!;
    const member2 = await signIn(server, "member2@backline.local");
    const id = await paidTicket(member2, thread.id);
    // Signed in, so no cached page: the stub while the request stands.
    expect(await text(await member2.get(thread.url))).toContain("Escalated to paid support on");
    const rejected = await maintainer.post(`/api/v1/tickets/${id}/reject`, {
      reason: "out_of_scope",
      message: "This is about your reverse proxy, not Backline.",
    });
    expect(rejected.status).toBe(200);
    const page = await text(await visitor.get(thread.url));
    expect(page).toContain("Paid support was declined; no charge was made.");
    expect(page).not.toContain("Escalated to paid support");
    expect(page).not.toContain("reverse proxy");
    const listed = (await (await visitor.get("/api/v1/threads?category=pro")).json()).threads.find(
      (t: { id: string }) => t.id === thread.id,
    );
    expect(listed.escalated).toBe(false);
    const mine = await (await member2.get(`/api/v1/tickets/${id}`)).json();
    expect(mine.payment.summary).toBe("Authorisation released; you were not charged.");
  });
});

describe("publish-back declined", () => {
  it("shows the member the rendered draft; a decline is recorded, tells the maintainer and publishes nothing", async () => {
    const thread = threads[0]!;
    const asker = await newMember(server, "pb");
    const id = await paidTicket(asker, thread.id);
    expect((await maintainer.post(`/api/v1/tickets/${id}/accept`, {})).status).toBe(200);
    expect((await maintainer.post(`/api/v1/tickets/${id}/resolve`, { message: "Fixed by upgrading." })).status).toBe(200);
    const draft = "Mount the **webhook route** before any JSON body parser; see `app.ts`.";
    const drafted = await maintainer.request("POST", `/tickets/${id}`, { form: { intent: "publish-draft", body: draft } });
    expect(drafted.status).toBe(200);

    const page = await text(await asker.get(`/tickets/${id}`));
    expect(page).toContain("<strong>webhook route</strong>");
    expect(page).not.toContain("**webhook route**");
    const hash = /name="draftHash" value="([0-9a-f]+)"/.exec(page)![1]!;

    const declined = await asker.request("POST", `/tickets/${id}`, { form: { intent: "publish-decline", draftHash: hash } });
    expect(declined.status).toBe(200);
    const after = await text(await asker.get(`/tickets/${id}`));
    expect(after).toContain("You declined publishing this draft; nothing was posted.");
    expect(after).not.toContain("Agree and publish to the thread");
    // A consent sent afterwards (an old tab) is refused; the thread never shows the draft.
    const late = await asker.request("POST", `/tickets/${id}`, { form: { intent: "publish-consent", draftHash: hash } });
    expect(late.status).toBe(409);
    expect(await text(await visitor.get(thread.url))).not.toContain("webhook route");
    const told = await (await maintainer.get("/api/v1/notifications")).json();
    expect(JSON.stringify(told)).toContain("The member declined publishing your answer");
    // Only the owner decides.
    expect((await maintainer.request("POST", `/tickets/${id}`, { form: { intent: "publish-decline", draftHash: hash } })).status).toBe(403);
  });
});

describe("the gate", () => {
  it("marks every invalid field, textareas included, with a message a person would write", async () => {
    const member = await newMember(server, "gate");
    const res = await member.request("POST", `/escalate/${threads[1]!.id}`, { form: { tier: "standard", productVersion: "" } });
    expect(res.status).toBe(400);
    const html = await text(res);
    expect(html).toContain("Give the exact version, e.g. 3.2.1.");
    for (const name of ["productVersion", "environment", "stepsToReproduce", "alreadyTried", "acceptScope"]) {
      const control = new RegExp(`<(input|textarea)[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? "";
      expect(control, name).toContain('aria-invalid="true"');
      const describedBy = /aria-describedby="([^"]+)"/.exec(control)![1]!.split(" ");
      const errorId = describedBy.find((d) => html.includes(`id="${d}" class="field-error"`));
      expect(errorId, name).toBeDefined();
    }
    // What was typed comes back, even without JavaScript.
    const typed = await member.request("POST", `/escalate/${threads[1]!.id}`, {
      form: { tier: "priority", productVersion: "3.2.1", environment: "Debian 12", stepsToReproduce: "short" },
    });
    const again = await text(typed);
    expect(again).toMatch(/name="productVersion"[^>]*value="3.2.1"|value="3.2.1"[^>]*name="productVersion"/);
    expect(again).toMatch(/<textarea[^>]*name="stepsToReproduce"[^>]*>short<\/textarea>/);
  });

  it("keeps the four answers after a declined checkout", async () => {
    const member = await newMember(server, "back");
    const thread = threads[1]!;
    const answers = gate({ stepsToReproduce: "1. Open the admin\n2. Save a category\n3. KEPT-steps-after-decline appear twice" });
    const res = await member.post(`/api/v1/threads/${thread.id}/escalations`, answers);
    const { escalationId } = await res.json();
    const declined = await member.request("POST", `/test-checkout/${escalationId}`, { form: { intent: "decline" } });
    const back = declined.headers.get("location")!.replace(server.url, "");
    expect(back).toContain(`/escalate/${thread.id}`);
    const page = await text(await member.get(back));
    expect(page).toContain("Nothing was charged");
    expect(page).toContain("KEPT-steps-after-decline appear twice</textarea>");
    expect(page).toContain(answers.alreadyTried);
    expect(page).toContain(answers.environment);
    // Coming back to the gate later shows them too.
    expect(await text(await member.get(`/escalate/${thread.id}`))).toContain("KEPT-steps-after-decline");
  });
});

describe("counts meet nouns", () => {
  it("says '1 post' for the snapshot of a question without replies", async () => {
    const created = await owner.post("/api/v1/threads", {
      category: "pro",
      title: "Single sign-on drops the group claim",
      body: "After enabling SSO with Okta, members arrive without their groups; the claim is in the token.",
    });
    expect(created.status).toBe(201);
    const id = await paidTicket(owner, (await created.json()).id);
    const page = await text(await maintainer.get(`/tickets/${id}`));
    expect(page).toContain("Thread snapshot at payment time (1 post)");
    expect(page).not.toMatch(/\b1 (posts|hours|replies|votes|days)\b/);
  });
});

describe("what a newcomer sees before signing in", () => {
  it("shows visitors the tiers and the demo insurance plan with prices and promises; the demo desk has canned replies", async () => {
    const page = await text(await visitor.get("/support"));
    expect(page).toMatch(
      /Standard<\/h3><p class="offer-price">\$49\.00<\/p><p>A first answer from the maintainer within <strong>48 hours<\/strong>/,
    );
    expect(page).toMatch(/Priority<\/h3><p class="offer-price">\$149\.00<\/p>/);
    expect(page).toMatch(
      /Business cover<\/h3><p class="offer-price">\$990\.00 a year<\/p><p>\$1,500\.00 of paid support during the year\.<\/p>/,
    );
    expect(page).toContain("charged only if the maintainer accepts the ticket");
    expect(page).toContain("Join to get support");
    expect(page).not.toMatch(/price_|prod_/); // no Stripe ids
    const admin = await signIn(server, "admin@backline.local");
    const macros = await text(await admin.get("/admin/macros"));
    for (const name of ["Thanks, on it", "Need logs", "Fixed in next release"]) expect(macros).toContain(name);
  });
});
