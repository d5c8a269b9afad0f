import { describe, expect, it } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { useSeededAppInBrowser } from "../helpers/e2e";
import { TEST_PASSWORD } from "../helpers/http";

const app = useSeededAppInBrowser();

describe("a newcomer", () => {
  it("opens the home page, joins, signs in and sees the seeded categories", async () => {
    const page = await app.browser.newPage();
    await page.goto(app.server.url);
    await expect(page.getByRole("heading", { name: "Categories", level: 1 }).isVisible()).resolves.toBe(true);
    await expect(page.getByText("Test mode: payments are simulated").isVisible()).resolves.toBe(true);

    await page.getByRole("link", { name: "Join" }).click();
    await page.getByLabel("Username").fill("newcomer");
    await page.getByLabel("E-mail").fill("newcomer@example.com");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Password must be at least 10 characters.").waitFor();

    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    const accountMenu = page.locator("summary.account-button", { hasText: "newcomer" });
    await accountMenu.waitFor();

    await accountMenu.click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("link", { name: "Sign in" }).click();
    await page.getByLabel("E-mail").fill("newcomer@example.com");
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await accountMenu.waitFor();

    const categories = page.getByRole("list", { name: "Categories" });
    await expect(categories.getByRole("link", { name: "Backline Pro" }).isVisible()).resolves.toBe(true);
    await expect(categories.getByRole("link", { name: "Community Edition" }).isVisible()).resolves.toBe(true);
    await expect(categories.getByText("Community support only").isVisible()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath("newcomer-home"), fullPage: true });
  });
});
