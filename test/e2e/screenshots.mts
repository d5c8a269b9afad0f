// npm run screenshots: the main screens at 390 px and 1280 px, as each role sees them, into
// docs/screenshots/ (README links them). Starts the app as `npm start` does (building when a
// source changed) on a fresh data folder with the demo data, then drives Chromium through it.
// Viewport-sized PNGs, not full pages, so the committed images stay small.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startArguments } from "../../app/server/start-command.mjs";
import { launchBrowser } from "../helpers/browser.ts";
import { listeningUrl } from "../helpers/listening.ts";
import { LAPTOP, openPaidTicket, PHONE, placePath, ROLE_TOURS, tourPage, tourPlaces } from "../helpers/layout-pages.ts";

const root = path.resolve(import.meta.dirname, "../..");
const out = path.join(root, "docs/screenshots");
const SHOTS: { role: string; path: string; name: string; widths: number[]; openMenu?: string }[] = [
  { role: "visitor", path: "/", name: "home", widths: [1280, 390] },
  { role: "visitor", path: "/support", name: "support", widths: [1280] },
  { role: "member", path: "{thread}", name: "thread", widths: [1280, 390] },
  { role: "member", path: "/latest", name: "phone-menu", widths: [390], openMenu: "Menu" },
  { role: "member", path: "/tags", name: "tags", widths: [1280] },
  { role: "member", path: "/escalate/{threadId}", name: "gate", widths: [1280] },
  { role: "member", path: "{ticket}", name: "ticket-member", widths: [390] },
  { role: "moderator", path: "/mod", name: "moderation", widths: [390] },
  { role: "maintainer", path: "{ticket}", name: "ticket-desk", widths: [1280, 390] },
  { role: "admin", path: "/desk/numbers", name: "desk-numbers", widths: [1280] },
  { role: "admin", path: "/admin/people", name: "admin-people", widths: [1280] },
  { role: "admin", path: "/admin/tiers", name: "admin-tiers", widths: [1280] },
];

const dataDir = mkdtempSync(path.join(os.tmpdir(), "backline-shots-"));
const app = spawn(process.execPath, startArguments(root), {
  cwd: root,
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    BACKLINE_SEED: "1",
    LOG_LEVEL: "warn",
  },
  stdio: ["ignore", "pipe", "pipe"],
});
let printed = "";
const url = await new Promise<string>((resolve, reject) => {
  const read = (d: Buffer) => {
    printed += d;
    const found = listeningUrl(printed);
    if (found) resolve(found);
  };
  app.stdout.on("data", read);
  app.stderr.on("data", read);
  app.once("exit", (code) => reject(new Error(`the app exited with ${code}:\n${printed}`)));
});

const browser = await launchBrowser();
try {
  mkdirSync(out, { recursive: true });
  // A paid ticket of the demo member, so the member's and the desk's ticket pages have something to show.
  const member = await tourPage(
    browser,
    url,
    ROLE_TOURS.find((t) => t.role === "member")!,
  );
  const ticket = await openPaidTicket(member.page, url);
  await member.page.context().close();
  for (const tour of ROLE_TOURS) {
    const shots = SHOTS.filter((s) => s.role === tour.role);
    if (!shots.length) continue;
    const { page } = await tourPage(browser, url, tour);
    await page.emulateMedia({ colorScheme: "light" });
    const places = await tourPlaces(page, url, ticket);
    for (const shot of shots) {
      for (const width of shot.widths) {
        await page.setViewportSize(width === PHONE.width ? PHONE : LAPTOP);
        await page.goto(url + placePath(shot.path, places));
        if (shot.openMenu)
          await page.locator("header summary", { hasText: shot.openMenu }).or(page.getByLabel(shot.openMenu)).first().click();
        const file = path.join(out, `${shot.name}-${width}.png`);
        await page.screenshot({ path: file });
        console.log(path.relative(root, file));
      }
    }
    await page.context().close();
  }
} finally {
  await browser.close();
  app.kill("SIGTERM");
  await new Promise((r) => app.once("exit", r));
  rmSync(dataDir, { recursive: true, force: true });
}
