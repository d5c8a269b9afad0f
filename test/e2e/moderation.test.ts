import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";

const app = useSeededAppInBrowser();

const openThread = async (page: Page, title: string) => {
  await page.goto(`${app.server.url}/latest`);
  await page.getByRole("link", { name: title }).first().click();
  await page.getByRole("heading", { level: 1, name: title }).waitFor();
};

describe("moderation in the browser", () => {
  it(
    "a member flags a reply; a moderator sees it in the queue, hides it from the thread page, and the audit log shows why",
    { timeout: 90_000 },
    async () => {
      const title = "Webhook signature fails after upgrading to 3.2";
      const { page: member, errors: memberErrors } = await signInPage(app, "member@backline.local");
      await openThread(member, title);
      const reply = member.getByRole("article", { name: "Reply by grace" }).first();
      await reply.getByText("Flag", { exact: true }).click();
      await reply.getByLabel("Off-topic").check();
      await reply.getByLabel("Details (optional)").fill("Not about signatures");
      await reply.getByRole("button", { name: "Flag post" }).click();
      await reply.getByText("Thanks. A moderator will review this post.").waitFor();

      const { page: mod, errors: modErrors } = await signInPage(app, "moderator@backline.local");
      await mod.getByRole("link", { name: "Moderation" }).click();
      await mod.getByRole("heading", { name: "Flagged posts waiting for review" }).waitFor();
      await mod.getByText("Not about signatures").waitFor();

      await openThread(mod, title);
      await mod.getByRole("group", { name: "Moderate this thread" }).waitFor();
      // The reply in the list (the accepted-answer copy above it disappears once the answer is hidden).
      const modReply = mod.getByRole("article", { name: "Reply by grace" }).last();
      await modReply.getByText("Hide", { exact: true }).click();
      await modReply.getByRole("button", { name: "Hide post" }).click();
      // The reason is required: the browser refuses the empty box before anything is sent.
      await modReply.getByRole("textbox", { name: "Reason" }).fill("Off-topic, moved to a new thread");
      await modReply.getByRole("button", { name: "Hide post" }).click();
      await modReply.getByText("Post hidden.").waitFor();
      await modReply.getByText("Hidden", { exact: true }).waitFor();
      await mod.screenshot({ path: screenshotPath("moderation-thread"), fullPage: true });

      await member.reload();
      await expect(member.getByRole("article", { name: "Reply by grace" }).count()).resolves.toBe(0);

      await mod.goto(`${app.server.url}/mod`);
      await mod.getByText("Nothing to review.").waitFor();
      await mod.getByRole("link", { name: "Audit log" }).click();
      await mod.getByRole("cell", { name: "Off-topic, moved to a new thread" }).waitFor();
      await mod.screenshot({ path: screenshotPath("moderation-audit"), fullPage: true });
      expect(memberErrors).toEqual([]);
      expect(modErrors).toEqual([]);
    },
  );
});
