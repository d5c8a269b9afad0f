import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";
import { screenshotPath } from "../helpers/browser";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";

// Issue 18 in Chromium: the composer's preview, taking back a vote (with and without JavaScript),
// and an accepted answer shown once with a pointer, then taken back.

const app = useSeededAppInBrowser();
const ANSWER = "Set `retention.days` to 0 in the archive settings, then run the archiver once.";

/** Signed in with JavaScript off: what a member on a script-blocking browser gets. */
describe("composing, voting and accepting, and taking it back", () => {
  it("previews as posted, undoes a vote and an acceptance, and shows the accepted answer once", async () => {
    const { page: asker, errors } = await signInPage(app, "member@backline.local");
    await asker.goto(`${app.server.url}/new?category=community`);
    await asker.getByLabel("Title").fill("Archive keeps old exports after the retention change");
    const details = asker.getByLabel("Details (Markdown)");
    await details.fill("After setting a **shorter retention**, old exports stay. <script>window.__pwned=1</script>");
    // Tag suggestions come from tags in use, finishing the tag being typed after those already written.
    await asker.getByRole("button", { name: "Preview" }).waitFor(); // shown once the page is hydrated
    await asker.getByLabel("Tags").fill("archive, web");
    await expect
      .poll(() => asker.locator("datalist option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)))
      .toEqual(["archive, webhooks"]);
    await asker.getByLabel("Tags").fill("archive, Exports");

    await asker.getByRole("button", { name: "Preview" }).click();
    const preview = asker.locator(".preview-pane");
    await preview.locator("strong", { hasText: "shorter retention" }).waitFor();
    await expect(details.isVisible()).resolves.toBe(false);
    expect(await preview.innerHTML()).not.toContain("<script");
    expect(await asker.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    await asker.screenshot({ path: screenshotPath("composer-preview"), fullPage: true });
    await asker.getByRole("button", { name: "Write" }).click();
    await details.waitFor();
    // Posting straight from the preview sends the text too.
    await asker.getByRole("button", { name: "Preview" }).click();
    await asker.getByRole("button", { name: "Post question" }).click();
    await asker.getByRole("heading", { name: "Archive keeps old exports after the retention change" }).waitFor();
    const threadUrl = asker.url();
    await expect(asker.locator(".thread-header .tag").allTextContents()).resolves.toEqual(["#archive", "#exports"]);

    // Editing has the same preview.
    await asker.getByRole("article", { name: "Question" }).getByRole("link", { name: "Edit", exact: true }).click();
    await asker.getByLabel("Text (Markdown)").fill("After setting a _shorter retention_, old exports stay in `exports/`.");
    await asker.getByRole("button", { name: "Preview" }).click();
    await asker.locator(".preview-pane em", { hasText: "shorter retention" }).waitFor();
    await asker.getByRole("button", { name: "Save" }).click();
    await asker.waitForURL((u) => u.pathname === new URL(threadUrl).pathname);
    await asker.getByRole("article", { name: "Question" }).locator("em", { hasText: "shorter retention" }).waitFor();

    const { page: helper, errors: helperErrors } = await signInPage(app, "member2@backline.local");
    await helper.goto(threadUrl);
    await helper.getByLabel("Reply (Markdown)").fill(ANSWER);
    await helper.getByRole("button", { name: "Preview" }).click();
    await helper.locator(".preview-pane code", { hasText: "retention.days" }).waitFor();
    await helper.getByRole("button", { name: "Post reply" }).click();
    await helper.getByRole("article", { name: "Reply by grace" }).waitFor();

    // A vote, taken back by clicking the active vote again.
    await asker.reload();
    const reply = asker.getByRole("article", { name: "Reply by grace" });
    await reply.getByRole("button", { name: "Helpful 0 votes", pressed: false }).click();
    const active = reply.getByRole("button", { name: "Helpful 1 vote", pressed: true });
    await active.waitFor();
    await expect(active.getAttribute("aria-pressed")).resolves.toBe("true");
    await active.click();
    await reply.getByRole("button", { name: "Helpful 0 votes", pressed: false }).waitFor();
    await asker.reload();
    await reply.getByRole("button", { name: "Helpful 0 votes", pressed: false }).waitFor();
    // The number beside a name says what it is.
    await expect(reply.getByText(/^· \d+ rep$/).isVisible()).resolves.toBe(true);

    // Accepted: shown once, in place, with a pointer under the question.
    await reply.getByRole("button", { name: "✓ Accept as answer" }).click();
    const pointer = asker.getByRole("link", { name: "See the accepted answer by grace" });
    await pointer.waitFor();
    await reply.getByText("✓ Accepted answer").waitFor();
    expect(await asker.getByText("retention.days").count()).toBe(1);
    await pointer.click();
    await asker.waitForURL(/#post-1$/);
    await asker.screenshot({ path: screenshotPath("accepted-answer-once"), fullPage: true });

    // And taken back.
    await reply.getByRole("button", { name: "Unaccept" }).click();
    await reply.getByRole("button", { name: "✓ Accept as answer" }).waitFor();
    await expect(pointer.count()).resolves.toBe(0);
    await asker.locator(".thread-header").getByText("Unsolved").waitFor();

    expect(errors).toEqual([]);
    expect(helperErrors).toEqual([]);
  }, 180_000);

  it("votes and takes the vote back without JavaScript", async () => {
    const { page: asker } = await signInPage(app, "member@backline.local");
    await asker.goto(`${app.server.url}/new?category=community`);
    await asker.getByLabel("Title").fill("Mail digests arrive twice on Mondays");
    await asker.getByLabel("Details (Markdown)").fill("Every Monday the weekly digest comes twice. Why?");
    await asker.getByRole("button", { name: "Post question" }).click();
    await asker.getByRole("heading", { name: "Mail digests arrive twice on Mondays" }).waitFor();

    const { page: voter } = await signInPage(app, "member2@backline.local", DEMO_PASSWORD, { javaScriptEnabled: false });
    await voter.goto(asker.url());
    const question = voter.getByRole("article", { name: "Question" });
    // No toggle without JavaScript: the textarea alone, and the form still posts.
    await expect(voter.getByRole("button", { name: "Preview" }).count()).resolves.toBe(0);
    await question.getByRole("button", { name: "Helpful 0 votes", pressed: false }).click();
    await question.getByRole("button", { name: "Helpful 1 vote", pressed: true }).click();
    await question.getByRole("button", { name: "Helpful 0 votes", pressed: false }).waitFor();
  }, 120_000);
});
