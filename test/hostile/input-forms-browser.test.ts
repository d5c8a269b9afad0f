import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";

// A person pastes far too much into the question form, in Chromium, with and
// without JavaScript: the form says what the limit is and keeps every word.

const app = useSeededAppInBrowser();
const tooLong = `${"All of my logs, pasted in full. ".repeat(2_000)}\n<script>window.pwned = true</script>`; // ~64,000 characters

describe("the question form with too much text", () => {
  it("shows the limit next to the field and keeps the text, with JavaScript", async () => {
    const { page, errors } = await signInPage(app, "member@backline.local");
    await page.goto(`${app.server.url}/new`);
    await page.getByLabel("Title").fill("My export hangs with huge logs");
    await page.getByLabel("Details (Markdown)").fill(tooLong);
    await page.getByRole("button", { name: "Post question" }).click();
    await expect.poll(() => page.getByRole("alert").allTextContents()).toContain("At most 50,000 characters.");
    expect(await page.getByLabel("Details (Markdown)").inputValue()).toBe(tooLong);
    expect(await page.getByLabel("Title").inputValue()).toBe("My export hangs with huge logs");
    expect(new URL(page.url()).pathname).toBe("/new");
    expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
    // The 400 itself is logged by Chromium as a failed resource; nothing else may be.
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });

  it("does the same without JavaScript", async () => {
    const context = await app.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.server.url}/login?redirectTo=/new`);
    await page.getByLabel("E-mail").fill("member@backline.local");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/new$/);
    await page.getByLabel("Title").fill("My export hangs with huge logs");
    await page.getByLabel("Details (Markdown)").fill(tooLong);
    await page.getByRole("button", { name: "Post question" }).click();
    await page.getByText("At most 50,000 characters.").waitFor();
    expect(await page.getByLabel("Details (Markdown)").inputValue()).toBe(tooLong);
    expect(await page.getByLabel("Title").inputValue()).toBe("My export hangs with huge logs");
    await context.close();
  });
});
