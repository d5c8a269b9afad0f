import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";
import { launchBrowser } from "./browser";
import { startServer, type TestServer } from "./server";

export type BrowserApp = { server: TestServer; browser: Browser };

/** The built app with demo data, and Chromium, for one browser test file. */
export function useSeededAppInBrowser(): BrowserApp {
  const app = {} as BrowserApp;
  beforeAll(
    async () => {
      [app.server, app.browser] = await Promise.all([startServer({ seed: true }), launchBrowser()]);
      // A loaded machine may need longer to start the seeded app (TEST_SERVER_START_MS, test/helpers/server.ts).
    },
    Math.max(120_000, (Number(process.env.TEST_SERVER_START_MS) || 0) + 30_000),
  );
  afterAll(async () => {
    await app.browser?.close();
    await app.server?.stop();
  });
  return app;
}

/**
 * A page in its own browser context (own cookies), signed in as a demo account;
 * `errors` collects uncaught page errors and console errors (e.g. hydration).
 */
export async function signInPage(
  app: BrowserApp,
  email: string,
  password = DEMO_PASSWORD,
  context: BrowserContextOptions = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await (await app.browser.newContext(context)).newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => (m.type() === "error" ? errors.push(m.text()) : undefined));
  await page.goto(`${app.server.url}/login`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Signed in: the header shows the account menu (its "Sign out" is inside, hidden until opened).
  await page.locator("summary.account-button").waitFor();
  return { page, errors };
}
