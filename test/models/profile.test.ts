import { describe, expect, it } from "vitest";
import { deletePost } from "~/models/moderation/post-moderation.server";
import { hideThread } from "~/models/moderation/thread-moderation.server";
import { acceptAnswer, createReply, votePost } from "~/models/community/post.server";
import { getProfile } from "~/models/community/profile.server";
import { createThread } from "~/models/community/thread.server";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";

useTestDatabase();

const ask = (category: string, title: string) => ({
  category,
  title,
  body: "Steps to reproduce: open the dashboard, click export, wait a minute.",
  tags: "export",
});

describe("member profiles", () => {
  it("shows reputation earned from votes and accepted answers, with counts and recent activity", async () => {
    const cat = await makeCategory();
    const [asker, helper, voter] = await Promise.all([makeUser(), makeUser(), makeUser()]);
    const thread = await createThread(asker, ask(cat.slug, "Export to CSV hangs for large projects"));
    const answer = await createReply(helper, thread.id, { body: "Large exports run in the background; check the jobs page." });
    await votePost(voter, answer.id);
    await acceptAnswer(asker, answer.id);

    const profile = await getProfile(helper.username);
    expect(profile).toMatchObject({
      username: helper.username,
      role: "member",
      reputation: 25,
      counts: { threads: 0, replies: 1, acceptedAnswers: 1, helpfulVotes: 1 },
    });
    expect(profile.createdAt).toBeInstanceOf(Date);
    expect(profile.trustLabel).toEqual(expect.any(String));
    expect(profile.recentReplies).toEqual([
      expect.objectContaining({
        threadId: thread.id,
        threadTitle: "Export to CSV hangs for large projects",
        accepted: true,
        score: 1,
        url: answer.url,
      }),
    ]);
    expect(profile.recentReplies[0]!.excerpt).toBe("Large exports run in the background; check the jobs page.");

    const askerProfile = await getProfile(asker.username.toUpperCase());
    expect(askerProfile.username).toBe(asker.username);
    expect(askerProfile.counts.threads).toBe(1);
    expect(askerProfile.recentThreads).toEqual([expect.objectContaining({ id: thread.id, solved: true, tags: ["export"] })]);
  });

  it("shows only content everyone can see: no hidden threads, no deleted replies", async () => {
    const cat = await makeCategory();
    const [author, helper] = await Promise.all([makeUser(), makeUser()]);
    const moderator = await makeUser({ role: "moderator" });
    const visible = await createThread(author, ask(cat.slug, "Visible question about exports"));
    const hidden = await createThread(author, ask(cat.slug, "Spammy question that gets hidden"));
    const reply = await createReply(helper, visible.id, { body: "A reply that the author later deletes." });
    const inHidden = await createReply(helper, hidden.id, { body: "A reply inside the thread that is hidden." });
    await hideThread(moderator, hidden.id, { reason: "Spam advertising a web shop" });
    await deletePost(helper, reply.id, {});

    const authorProfile = await getProfile(author.username);
    expect(authorProfile.counts.threads).toBe(1);
    expect(authorProfile.recentThreads.map((t) => t.id)).toEqual([visible.id]);

    const helperProfile = await getProfile(helper.username);
    expect(helperProfile.counts.replies).toBe(0);
    expect(helperProfile.recentReplies.map((r) => r.id)).not.toContain(reply.id);
    expect(helperProfile.recentReplies.map((r) => r.id)).not.toContain(inHidden.id);
  });

  it("answers 404 for a member who does not exist", async () => {
    await expect(getProfile("nobody_by_that_name")).rejects.toMatchObject({ status: 404 });
  });
});
