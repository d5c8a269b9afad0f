import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/services/db.server";
import { runOnce } from "~/services/jobs.server";
import { getSearchEngine } from "#search/index.server";
import { SEARCH_QUEUE, searchJobHandler } from "#search/outbox.server";
import { Client, TEST_PASSWORD, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { makeCategory, makeUser } from "../helpers/factories";
import { useTestDatabase } from "../helpers/database";

// Hostile world, issue 13 §5, over HTTP against the built app: what visitors,
// the API and search say about a thread whose accepted answer is flagged,
// hidden, unhidden, deleted and posted again.

const database = useTestDatabase();
let server: TestServer;

beforeAll(async () => {
  // The search outbox is run by this file between steps, so search is checked at known points.
  server = await startServer({ databaseUrl: database.url, env: { BACKLINE_JOBS: "off" } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/** A brand-new account, made the way anyone on the internet makes one. */
async function signUp(username: string) {
  const client = new Client(server.url);
  const res = await client.post("/api/v1/users", { username, email: `${username}@example.com`, password: TEST_PASSWORD });
  expect(res.status).toBe(201);
  return signIn(server, `${username}@example.com`, TEST_PASSWORD);
}

async function ok(res: Response, status = 200) {
  expect(res.status, await res.clone().text()).toBe(status);
  return res.json();
}

describe("an accepted answer over HTTP", () => {
  it("survives new accounts' flags, leaves and comes back with hide/unhide, and pays its author once", async () => {
    const category = await makeCategory();
    const [askerUser, helperUser] = await Promise.all([makeUser(), makeUser()]);
    const moderatorUser = await makeUser({ role: "moderator" });
    const [asker, helper, moderator] = [
      await signIn(server, askerUser, TEST_PASSWORD),
      await signIn(server, helperUser, TEST_PASSWORD),
      await signIn(server, moderatorUser, TEST_PASSWORD),
    ];
    const visitor = new Client(server.url);

    const thread = await ok(
      await asker.post("/api/v1/threads", {
        category: category.slug,
        title: "Quokka exporter drops rows",
        body: "The quokka exporter drops every other row. Why?",
      }),
      201,
    );
    const answer = await ok(
      await helper.post(`/api/v1/threads/${thread.id}/posts`, { body: "Set batch size to one; the quokka exporter skips on overflow." }),
      201,
    );
    await ok(await asker.post(`/api/v1/posts/${answer.id}/accept`));

    /** Everything a visitor and a search user see about the thread, and what the answerer earned. */
    const seen = async () => {
      await runOnce(SEARCH_QUEUE, searchJobHandler(getSearchEngine));
      const json = await ok(await visitor.get(`/api/v1/threads/${thread.id}`));
      const solvedList = await ok(await visitor.get(`/api/v1/threads?category=${category.slug}&solved=true`));
      const hits = (await ok(await asker.get(`/api/v1/search?q=quokka`))).hits as { threadId: string; solved: boolean }[];
      const page = await (await asker.get(thread.url)).text();
      const profile = await ok(await visitor.get(`/api/v1/users/${helperUser.username}`));
      return {
        solved: json.solved as boolean,
        acceptedPostId: json.acceptedPostId as string | null,
        inSolvedList: (solvedList.threads as { id: string }[]).some((t) => t.id === thread.id),
        solvedInSearch: hits.find((h) => h.threadId === thread.id)?.solved,
        acceptedOnPage: /✓ Accepted answer/.test(page),
        reputation: profile.reputation as number,
      };
    };
    const solved = (postId: string) => ({
      solved: true,
      acceptedPostId: postId,
      inSolvedList: true,
      solvedInSearch: true,
      acceptedOnPage: true,
      reputation: 15,
    });
    const unsolved = {
      solved: false,
      acceptedPostId: null,
      inSolvedList: false,
      solvedInSearch: false,
      acceptedOnPage: false,
      reputation: 0,
    };

    expect(await seen()).toEqual(solved(answer.id));

    // Three accounts made a minute ago cannot take an accepted answer down; a moderator sees their flags.
    for (const name of ["fresh_a", "fresh_b", "fresh_c"]) {
      const newcomer = await signUp(`${name}_${Date.now().toString(36)}`);
      await ok(await newcomer.post(`/api/v1/posts/${answer.id}/flags`, { reason: "spam" }), 201);
    }
    expect(await seen()).toEqual(solved(answer.id));
    const queue = await ok(await moderator.get("/api/v1/flags"));
    expect(queue.items.find((i: { post: { id: string } }) => i.post.id === answer.id)?.flags).toHaveLength(3);

    await ok(await moderator.post(`/api/v1/posts/${answer.id}/hide`, { reason: "checking the reports" }));
    expect(await seen()).toEqual(unsolved);
    await ok(await moderator.post(`/api/v1/posts/${answer.id}/unhide`, {}));
    expect(await seen()).toEqual(solved(answer.id));

    // The farming loop: the answerer deletes the accepted answer, posts it again, and it is accepted again.
    await ok(await helper.request("DELETE", `/api/v1/posts/${answer.id}`, { json: {} }));
    expect(await seen()).toEqual(unsolved);
    const again = await ok(
      await helper.post(`/api/v1/threads/${thread.id}/posts`, { body: "Set batch size to one; the quokka exporter skips on overflow!" }),
      201,
    );
    await ok(await asker.post(`/api/v1/posts/${again.id}/accept`));
    expect(await seen()).toEqual(solved(again.id));
    expect((await db.user.findUniqueOrThrow({ where: { id: helperUser.id } })).reputation).toBe(15);
    expect(server.output()).not.toMatch(/ ERROR /);
  });
});

describe("votes over HTTP", () => {
  it("five accounts made a minute ago vote for a sixth: the votes show, the reputation and trust do not move", async () => {
    const category = await makeCategory();
    const askerUser = await makeUser();
    const farmedUser = await makeUser({ trustLevel: 0 });
    const [asker, farmed] = [await signIn(server, askerUser, TEST_PASSWORD), await signIn(server, farmedUser, TEST_PASSWORD)];
    const visitor = new Client(server.url);
    const thread = await ok(
      await asker.post("/api/v1/threads", {
        category: category.slug,
        title: "Wombat importer stalls at 99 percent",
        body: "The wombat importer stalls at 99%. Why?",
      }),
      201,
    );
    const reply = await ok(
      await farmed.post(`/api/v1/threads/${thread.id}/posts`, { body: "Raise the importer's timeout; the last batch is the largest." }),
      201,
    );

    for (const name of ["fake_a", "fake_b", "fake_c", "fake_d", "fake_e"]) {
      const fake = await signUp(`${name}_${Date.now().toString(36)}`);
      await ok(await fake.post(`/api/v1/posts/${reply.id}/votes`));
    }
    // Voting on one's own post is refused and earns nothing either.
    expect((await farmed.post(`/api/v1/posts/${reply.id}/votes`)).status).toBe(403);

    const page = await ok(await visitor.get(`/api/v1/threads/${thread.id}`));
    expect(page.posts.find((p: { id: string; score: number }) => p.id === reply.id)?.score).toBe(5);
    const profile = await ok(await visitor.get(`/api/v1/users/${farmedUser.username}`));
    expect({ reputation: profile.reputation, trustLevel: profile.trustLevel }).toEqual({ reputation: 0, trustLevel: 0 });
    expect(server.output()).not.toMatch(/ ERROR /);
  });
});
