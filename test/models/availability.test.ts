import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { absenceWarnings, saveAvailability, supportStatus } from "~/models/availability/availability.server";
import { firstFreeStart } from "~/models/availability/availability";
import { intakeForDisplay } from "~/models/availability/intake-cache.server";
import { intakeHistory } from "~/models/availability/intake-history";
import { requestReopenMail, runReopenCheck } from "~/models/availability/reopen.server";
import { startEscalation } from "~/models/escalation/escalation.server";
import { activeCoverage } from "~/models/insurance/insurance.server";
import { createPlan } from "~/models/insurance/plans.server";
import { completeTestInsuranceCheckout, startInsuranceCheckout } from "~/models/insurance/purchase.server";
import { acceptTicket, rejectTicket, resolveTicket } from "~/models/tickets/ticket.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { makeUser, type TestUser } from "../helpers/factories";
import { readMailbox } from "../helpers/mailbox";
import { gate, makeThread, supportWorld } from "../helpers/support-world";

// Intake follows what the maintainer can keep (docs/product.md §4.13, docs/decisions/045).
const dataDir = mkdtempSync(path.join(os.tmpdir(), "backline-availability-"));
process.env.DATA_DIR = dataDir;
useTestDatabase();
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const H = 3_600_000;
let world: Awaited<ReturnType<typeof supportWorld>>;
let planId: string;

beforeAll(async () => {
  world = await supportWorld();
  planId = (await createPlan(world.admin, { name: "Cover", priceCents: 50000, coverageCents: 20000, currency: "usd", active: "on" })).id;
});

async function insured(): Promise<TestUser> {
  const member = await makeUser({ role: "member", trustLevel: 0 });
  const { insuranceId } = await startInsuranceCheckout(member, planId);
  await completeTestInsuranceCheckout(member.id, insuranceId, "subscribe");
  return member;
}

/** A ticket paid from coverage: no checkout page between the gate and the ticket. */
async function coveredTicket(member: TestUser, title: string, tier = "standard") {
  const thread = await makeThread(world.pro.id, member, world.other, title);
  const { escalationId } = await startEscalation(member, thread.id, gate({ tier }));
  return { thread, ticket: await db.ticket.findUniqueOrThrow({ where: { escalationId } }) };
}

const setAvailability = (maxOpenTickets: number | null, absences: { from: Date; to: Date; note?: string }[] = []) =>
  saveAvailability(world.maintainer, {
    maxOpenTickets,
    absences: absences.map((a) => ({ ...a, from: a.from.toISOString(), to: a.to.toISOString() })),
  });

const tierOf = (s: Awaited<ReturnType<typeof supportStatus>>, slug: string) => s.tiers.find((t) => t.id === world.tiers[slug]!.id)!;

describe("capacity", () => {
  it("pauses every tier at the limit, refuses a covered member without drawing, and reopens at once on a reject; the requester is mailed once", async () => {
    await setAvailability(1);
    const first = await insured();
    const { ticket } = await coveredTicket(first, "Capacity one: the queue is full after this");
    const full = await supportStatus();
    expect(full).toMatchObject({ open: false, reason: "capacity", reopensAt: null, waiting: 1 });
    expect(full.tiers.every((t) => !t.available && t.reopensAt === null)).toBe(true);

    const second = await insured();
    const thread = await makeThread(world.pro.id, second, world.other, "Capacity two: refused while paused");
    await expect(startEscalation(second, thread.id, gate())).rejects.toMatchObject({
      status: 409,
      code: "support_paused",
      details: { reopensAt: null },
    });
    // Nothing drawn, nothing recorded: the plan keeps its whole coverage.
    expect((await activeCoverage(second.id))!.balanceCents).toBe(20000);
    expect(await db.escalation.count({ where: { userId: second.id } })).toBe(0);

    await requestReopenMail(second);
    expect(await runReopenCheck()).toBe(0);
    await rejectTicket(world.maintainer, ticket.id, { reason: "duplicate", message: "Same question as the other ticket, answered there." });
    expect((await supportStatus()).open).toBe(true);
    expect(await runReopenCheck()).toBe(1);
    expect(await runReopenCheck()).toBe(0);
    const mails = readMailbox(path.join(dataDir, "mailbox"), second.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain("Subject: Paid support is open again");
  });

  it("a tier at its own limit pauses alone and reopens at once on a resolve; the other tiers go on selling", async () => {
    const priority = world.tiers.priority!.id;
    await saveAvailability(world.maintainer, { maxOpenTickets: null, tierLimits: [{ id: priority, maxOpenTickets: 1 }], absences: [] });
    const member = await insured();
    const { ticket } = await coveredTicket(member, "Tier limit: the priority tier is full after this", "priority");
    const s = await supportStatus();
    expect(s).toMatchObject({ open: true, reopensAt: null });
    expect(tierOf(s, "priority")).toMatchObject({ available: false, reason: "capacity", reopensAt: null });
    expect(tierOf(s, "standard")).toMatchObject({ available: true });

    const other = await insured();
    const thread = await makeThread(world.pro.id, other, world.other, "Tier limit: priority refused, standard sold");
    await expect(startEscalation(other, thread.id, gate({ tier: "priority" }))).rejects.toMatchObject({
      status: 409,
      code: "support_paused",
    });
    expect((await activeCoverage(other.id))!.balanceCents).toBe(20000);
    const { escalationId } = await startEscalation(other, thread.id, gate({ tier: "standard" }));
    const standard = await db.ticket.findUniqueOrThrow({ where: { escalationId } });

    await acceptTicket(world.maintainer, ticket.id);
    await resolveTicket(world.maintainer, ticket.id, { message: "Fixed in 3.2.2." });
    expect(tierOf(await supportStatus(), "priority").available).toBe(true);
    await rejectTicket(world.maintainer, standard.id, {
      reason: "duplicate",
      message: "Same question as the other ticket, answered there.",
    });
    await setAvailability(null);
  });

  it("reopens at once on a resolve", async () => {
    await setAvailability(1);
    const member = await insured();
    const { ticket } = await coveredTicket(member, "Capacity three: resolved frees the place");
    expect((await supportStatus()).open).toBe(false);
    await acceptTicket(world.maintainer, ticket.id);
    expect((await supportStatus()).open).toBe(false);
    await resolveTicket(world.maintainer, ticket.id, { message: "Fixed in 3.2.2." });
    expect((await supportStatus()).open).toBe(true);
    await setAvailability(null);
  });
});

describe("the intake members' thread pages show (docs/decisions/042)", () => {
  const contentVersion = async () =>
    (await db.$queryRawUnsafe<{ v: string }[]>(`select last_value::text as v from "backline_content_version"`))[0]!.v;

  it("is reused while the content version stands; a ticket or an availability write moves the version", async () => {
    await setAvailability(1);
    const before = await contentVersion();
    const shown = intakeForDisplay(before);
    expect((await shown).open).toBe(true);
    expect(intakeForDisplay(before), "the same look-up under one version").toBe(shown);
    const later = intakeForDisplay(before, Date.now() + 6_000);
    expect(later, "looked up again after a few seconds").not.toBe(shown);
    await later;

    const member = await insured();
    const { ticket } = await coveredTicket(member, "Content version: a new ticket fills the queue");
    const full = await contentVersion();
    expect(BigInt(full)).toBeGreaterThan(BigInt(before));
    expect((await intakeForDisplay(full)).open).toBe(false);

    await rejectTicket(world.maintainer, ticket.id, { reason: "duplicate", message: "Answered in the other ticket already." });
    const freed = await contentVersion();
    expect(BigInt(freed)).toBeGreaterThan(BigInt(full));
    expect((await intakeForDisplay(freed)).open).toBe(true);

    await setAvailability(null);
    expect(BigInt(await contentVersion())).toBeGreaterThan(BigInt(freed));
    // No version (no page cache): looked up every time.
    const [one, two] = [intakeForDisplay(null), intakeForDisplay(null)];
    expect(one).not.toBe(two);
    await Promise.all([one, two]);
  });
});

describe("absences", () => {
  it("pauses a tier whose deadline would fall inside an absence, with the absence's end as reopensAt; shorter tiers stay open", async () => {
    const now = new Date();
    const from = new Date(now.getTime() + 24 * H);
    const to = new Date(now.getTime() + 72 * H);
    await setAvailability(null, [{ from, to, note: "Conference" }]);
    const s = await supportStatus(now);
    expect(s.open).toBe(true);
    expect(tierOf(s, "standard")).toMatchObject({ available: false, reason: "absence" });
    expect(tierOf(s, "standard").reopensAt!.getTime()).toBe(to.getTime());
    expect(tierOf(s, "priority")).toMatchObject({ available: true, reopensAt: null });

    const member = await makeUser({ role: "member", trustLevel: 0 });
    const thread = await makeThread(world.pro.id, member, world.other, "Absence: the standard tier is paused");
    const refused = await startEscalation(member, thread.id, gate()).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 409, code: "support_paused", details: { reopensAt: to.toISOString() } });
    expect(await db.escalation.count({ where: { userId: member.id } })).toBe(0);
  });

  it("reopens when the absence ends, and the reopen check then mails the requester", async () => {
    const now = new Date();
    const to = new Date(now.getTime() + 5 * H);
    await setAvailability(null, [{ from: new Date(now.getTime() + H), to }]);
    expect((await supportStatus(now)).open).toBe(false);
    const member = await makeUser({ role: "member", trustLevel: 0 });
    await requestReopenMail(member, now);
    const reopenedAt = new Date(to.getTime() + 1000);
    const after = await supportStatus(reopenedAt);
    expect(after.open).toBe(true);
    expect(after.tiers.every((t) => t.available)).toBe(true);
    expect(await runReopenCheck(reopenedAt)).toBe(1);
    expect(readMailbox(path.join(dataDir, "mailbox"), member.email)).toHaveLength(1);
    // A check is queued for the absence's end, so the mail goes out without anyone visiting.
    expect(await db.job.count({ where: { queue: "support-reopen", runAt: to } })).toBeGreaterThan(0);
    await setAvailability(null);
  });

  it("warns the desk about sold tickets whose deadlines fall inside a coming absence", async () => {
    const member = await insured();
    const { ticket } = await coveredTicket(member, "Absence warning: due while away");
    await setAvailability(null, [{ from: new Date(ticket.deadlineAt.getTime() - H), to: new Date(ticket.deadlineAt.getTime() + H) }]);
    const warnings = await absenceWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.tickets.map((t) => t.id)).toEqual([ticket.id]);
    await rejectTicket(world.maintainer, ticket.id, { reason: "duplicate", message: "Same question as the other ticket, answered there." });
    await setAvailability(null);
  });

  it("finds the first start whose whole promise is free of back-to-back absences", () => {
    const now = new Date("2026-12-01T00:00:00Z");
    const a = { from: new Date("2026-12-01T10:00:00Z"), to: new Date("2026-12-02T00:00:00Z"), note: null };
    const b = { from: new Date("2026-12-02T20:00:00Z"), to: new Date("2026-12-03T00:00:00Z"), note: null };
    expect(firstFreeStart([a, b], 48, now).toISOString()).toBe("2026-12-03T00:00:00.000Z");
    expect(firstFreeStart([a, b], 8, now)).toEqual(now);
  });
});

describe("the availability input", () => {
  it("answers 400 with a message per field: bad dates, ended and overlapping absences, a bad limit", async () => {
    const soon = (h: number) => new Date(Date.now() + h * H).toISOString();
    const refusal = (input: unknown) => saveAvailability(world.maintainer, input).catch((e: { status: number; fields: object }) => e);
    expect(
      await refusal({
        maxOpenTickets: 0,
        absences: [
          { from: "next tuesday", to: soon(5) },
          { from: soon(-48), to: soon(-24) },
          { from: soon(40), to: soon(35) },
        ],
      }),
    ).toMatchObject({
      status: 400,
      fields: {
        maxOpenTickets: "A whole number from 1 to 1000, or empty (null) for no limit.",
        "absences.0.from": expect.stringContaining("date and time"),
        "absences.1.to": "This absence is already over.",
        "absences.2.to": "The end must be after the start.",
      },
    });
    const overlapping = await refusal({
      maxOpenTickets: 2,
      absences: [
        { from: soon(10), to: soon(20) },
        { from: soon(15), to: soon(30) },
      ],
    });
    expect(overlapping).toMatchObject({ status: 400, fields: { "absences.1.from": "Overlaps absence 1; merge the two." } });
  });

  it("refuses the other spellings of bad input: non-ISO or impossible dates, equal ends, duplicates, odd limits", async () => {
    const soon = (h: number) => new Date(Date.now() + h * H).toISOString();
    const fields = async (input: unknown) =>
      (await saveAvailability(world.maintainer, input).catch((e: { status: number; fields: object }) => e)) as {
        status: number;
        fields: Record<string, string>;
      };
    for (const from of ["12/24/2030", "Dec 24 2030 10:00", "2030-12-24", "2030-02-30T10:00Z", "2030-12-24T24:00Z", "1767225600000"]) {
      const refused = await fields({ maxOpenTickets: 2, absences: [{ from, to: "2030-12-31T10:00Z" }] });
      expect(refused, from).toMatchObject({ status: 400, fields: { "absences.0.from": expect.stringContaining("ISO date and time") } });
    }
    const at = soon(10);
    expect(await fields({ maxOpenTickets: 2, absences: [{ from: at, to: at }] })).toMatchObject({
      fields: { "absences.0.to": "The end must be after the start." },
    });
    const twice = { from: soon(10), to: soon(20) };
    expect(await fields({ maxOpenTickets: 2, absences: [twice, twice] })).toMatchObject({
      fields: { "absences.1.from": "Overlaps absence 1; merge the two." },
    });
    for (const maxOpenTickets of [-1, 0, 1.5, 1001, 1e9, "0x10", "1e2", true, undefined]) {
      const refused = await fields({ maxOpenTickets, absences: [] });
      expect(refused, String(maxOpenTickets)).toMatchObject({
        status: 400,
        fields: { maxOpenTickets: expect.stringContaining("whole number") },
      });
    }
    // What a datetime-local field sends (no zone: UTC) and an offset both name the moment meant.
    await expect(
      saveAvailability(world.maintainer, {
        maxOpenTickets: "7",
        absences: [
          { from: "2030-01-01T10:00", to: "2030-01-01T12:00:30.5+02:00" },
          { from: "2030-02-01T10:00:00Z", to: "2030-02-02T10:00Z" },
        ],
      }),
    ).resolves.toMatchObject({
      maxOpenTickets: 7,
      absences: [
        { from: "2030-01-01T10:00:00.000Z", to: "2030-01-01T10:00:30.500Z" },
        { from: "2030-02-01T10:00:00.000Z", to: "2030-02-02T10:00:00.000Z" },
      ],
    });
    await setAvailability(null);
  });

  it("refuses a tier limit for no tier or twice for one tier, and keeps the saved ones until replaced", async () => {
    const priority = world.tiers.priority!.id;
    const refusal = (tierLimits: unknown) =>
      saveAvailability(world.maintainer, { maxOpenTickets: null, tierLimits, absences: [] }).catch((e: unknown) => e);
    expect(await refusal([{ id: "no-such-tier", maxOpenTickets: 2 }])).toMatchObject({
      status: 400,
      fields: { "tierLimits.0.id": "There is no such tier." },
    });
    expect(
      await refusal([
        { id: priority, maxOpenTickets: 2 },
        { id: priority, maxOpenTickets: 0 },
      ]),
    ).toMatchObject({
      status: 400,
      fields: {
        "tierLimits.1.id": "This tier has a limit already.",
        "tierLimits.1.maxOpenTickets": expect.stringContaining("whole number"),
      },
    });
    await expect(
      saveAvailability(world.maintainer, {
        maxOpenTickets: 5,
        tierLimits: [
          { id: priority, maxOpenTickets: 2 },
          { id: world.tiers.standard!.id, maxOpenTickets: null },
        ],
        absences: [],
      }),
    ).resolves.toEqual({ maxOpenTickets: 5, tierLimits: [{ id: priority, maxOpenTickets: 2 }], absences: [] });
    await setAvailability(null);
  });

  it("is the maintainer's and the admin's: 403 for a member", async () => {
    await expect(saveAvailability(world.owner, { maxOpenTickets: 3, absences: [] })).rejects.toMatchObject({ status: 403 });
    await expect(saveAvailability(world.admin, { maxOpenTickets: null, absences: [] })).resolves.toMatchObject({ maxOpenTickets: null });
  });
});

describe("intake history", () => {
  it("counts the most tickets held at once per day and the hours paused", () => {
    const now = new Date("2026-12-03T12:00:00Z");
    const at = (s: string) => new Date(`2026-12-${s}Z`);
    const days = intakeHistory(
      [
        { paidAt: at("02T08:00:00"), closedAt: at("02T10:00:00") },
        { paidAt: at("02T09:00:00"), closedAt: null },
        { paidAt: at("02T10:00:00"), closedAt: at("03T01:00:00") },
      ],
      [{ reason: "capacity", startedAt: at("02T22:00:00"), endedAt: at("03T01:00:00") }],
      2,
      now,
    );
    expect(days).toEqual([
      { day: "2026-12-03", peakHeld: 2, pausesStarted: 0, pausedHours: 1 },
      { day: "2026-12-02", peakHeld: 2, pausesStarted: 1, pausedHours: 2 },
    ]);
  });
});
