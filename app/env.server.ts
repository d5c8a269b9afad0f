import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";

// The one place configuration is read. Everything else imports `env`.

/** Which proxies in front of the app may name the client: false, a hop count, or proxy addresses (ADR 025). */
export type TrustProxy = false | number | string[];
const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);
const isProxyAddress = (entry: string) => {
  if (PROXY_NAMES.has(entry)) return true;
  const [ip, bits, ...rest] = entry.split("/");
  const family = isIP(ip ?? "");
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  // IPv4 netmasks (255.255.0.0) are allowed too, as Express reads them.
  if (isIP(bits) === 4 && family === 4) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
};
const trustProxySchema = z
  .string()
  .optional()
  .transform((v, ctx): TrustProxy => {
    const raw = (v ?? "").trim().toLowerCase();
    if (raw === "" || raw === "false" || raw === "0") return false;
    if (/^\d+$/.test(raw)) return Number(raw);
    const entries = raw
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean);
    const bad = entries.filter((e) => !isProxyAddress(e));
    if (raw === "true" || bad.length || !entries.length) {
      // "true" would believe any X-Forwarded-For a client writes: every client could pick its own rate-limit key.
      ctx.addIssue({
        code: "custom",
        message: `TRUST_PROXY must be a hop count (1) or a comma-separated list of proxy addresses or CIDRs (10.0.0.0/8,127.0.0.1)${bad.length ? `; not an address: ${bad.join(", ")}` : ""}`,
      });
      return z.NEVER;
    }
    return entries;
  });
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v.trim() : undefined));

export const envSchema = z
  .object({
    BACKLINE_MODE: z.enum(["development", "production"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default("0.0.0.0"),
    // Checked by originProblem() below, with a message that says what is wrong.
    PUBLIC_URL: optionalString,
    DATABASE_URL: optionalString,
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    // Named prepared statements: each query is parsed and planned once per connection. On for the
    // embedded database (main.ts); off by default for a server, where a transaction-mode pooler
    // (PgBouncer before 1.21) would break them.
    DATABASE_PREPARED_STATEMENTS: z.enum(["on", "off"]).default("off"),
    DATA_DIR: z.string().default(".data"),
    SESSION_SECRET: optionalString,
    SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    MEILI_HOST: optionalString.pipe(z.url().optional()),
    MEILI_API_KEY: optionalString,
    MEILI_INDEX_PREFIX: z.string().default("backline"),
    // How long one Meilisearch task (a settings update, a batch of documents) may take
    // before the write fails; a busy server with a large index needs minutes.
    MEILI_TASK_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
    STRIPE_SECRET_KEY: optionalString,
    STRIPE_WEBHOOK_SECRET: optionalString,
    STRIPE_PUBLISHABLE_KEY: optionalString,
    STRIPE_API_URL: optionalString.pipe(z.url().optional()),
    SMTP_URL: optionalString,
    MAIL_FROM: z.string().default("Backline <no-reply@backline.local>"),
    // Notification e-mails wait this long so one message can summarise a burst of activity.
    NOTIFICATION_EMAIL_DELAY_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
    // Unset: seed demo data in development only.
    BACKLINE_SEED: z
      .enum(["1", "0", "true", "false", "yes", "no", ""])
      .optional()
      .transform((v) => (v === undefined || v === "" ? undefined : v === "1" || v === "true" || v === "yes")),
    // "skip" serves build/ as it is; tests and CI build once up front.
    BACKLINE_BUILD: z.enum(["auto", "skip"]).default("auto"),
    BACKLINE_JOBS: z.enum(["inline", "off"]).default("inline"),
    // Searches per minute per member, or per client address for visitors (search page and API together); 0: no limit.
    SEARCH_RATE_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(120),
    // The client address (rate limits) comes from X-Forwarded-For only through these trusted hops; unset: the socket's.
    TRUST_PROXY: trustProxySchema,
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    // Open live-update streams (thread replies, desk queue) one server keeps at most; beyond it, 503 (docs/decisions/049).
    LIVE_STREAMS_MAX: z.coerce.number().int().min(0).max(100_000).default(500),
  })
  .superRefine((e, ctx) => {
    const publicUrlProblem = e.PUBLIC_URL && originProblem(e.PUBLIC_URL);
    if (publicUrlProblem) ctx.addIssue({ code: "custom", path: ["PUBLIC_URL"], message: `PUBLIC_URL ${publicUrlProblem}` });
    if (e.BACKLINE_MODE !== "production") return;
    // Every absolute link the forum writes (reset e-mails, checkout returns, feeds) comes from PUBLIC_URL:
    // the request's Host is the sender's to choose.
    const required = ["PUBLIC_URL", "SESSION_SECRET", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"] as const;
    for (const key of required) {
      if (!e[key]) {
        ctx.addIssue({ code: "custom", path: [key], message: `${key} is required when BACKLINE_MODE=production` });
      }
    }
    if (e.SESSION_SECRET && e.SESSION_SECRET.length < 32) {
      ctx.addIssue({ code: "custom", path: ["SESSION_SECRET"], message: "SESSION_SECRET must be at least 32 characters in production" });
    }
    if (e.STRIPE_SECRET_KEY && !/^(sk|rk)_(live|test)_/.test(e.STRIPE_SECRET_KEY)) {
      ctx.addIssue({ code: "custom", path: ["STRIPE_SECRET_KEY"], message: "STRIPE_SECRET_KEY must look like sk_live_… or sk_test_…" });
    } else if (e.STRIPE_SECRET_KEY && /^(sk|rk)_test_/.test(e.STRIPE_SECRET_KEY)) {
      // A test key in production takes no real money while the forum promises it (docs/decisions/038).
      ctx.addIssue({
        code: "custom",
        path: ["STRIPE_SECRET_KEY"],
        message:
          "STRIPE_SECRET_KEY is a Stripe test key (sk_test_…); production charges real cards only: set the live key (sk_live_… or rk_live_…), or run with BACKLINE_MODE=development",
      });
    }
  });

/** PUBLIC_URL is an origin that links are appended to: anything more would end up in every link. */
function originProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be a URL like https://forum.example.com: got ${value}`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must start with http:// or https://";
  if (url.username || url.password) return "must not contain a user name or password";
  if (url.pathname !== "/" || url.search || url.hash || /[?#]/.test(value)) {
    return `must be an origin only, like https://forum.example.com (no path, query or fragment): got ${value}`;
  }
  return undefined;
}

/** Without PUBLIC_URL (development only): where the server listens, as a browser on this machine reaches it. */
function developmentOrigin(host: string, port: number): string {
  const anyAddress = host === "0.0.0.0" || host === "::" || host === "";
  const name = anyAddress ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

export type Env = z.output<typeof envSchema> & {
  production: boolean;
  paymentsMode: "stripe" | "test";
  searchEngine: "meilisearch" | "postgres";
  dataDir: string;
  sessionSecret: string;
  publicUrl: string;
  /** Browsers reach the site over HTTPS: Secure cookies and HSTS. */
  servedOverHttps: boolean;
};

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new EnvError(`Backline cannot start: invalid configuration\n${lines.join("\n")}\nSee .env.example for every setting.`);
  }
  const e = result.data;
  const production = e.BACKLINE_MODE === "production";
  return {
    ...e,
    production,
    paymentsMode: e.STRIPE_SECRET_KEY ? "stripe" : "test",
    searchEngine: e.MEILI_HOST ? "meilisearch" : "postgres",
    dataDir: path.resolve(e.DATA_DIR),
    // Development without a secret gets a fixed one: sessions survive restarts, and
    // production refuses to start without its own (checked above).
    sessionSecret: e.SESSION_SECRET ?? "backline-development-session-secret-not-for-production",
    publicUrl: e.PUBLIC_URL ? new URL(e.PUBLIC_URL).origin : developmentOrigin(e.HOST, e.PORT),
    // PUBLIC_URL names the scheme visitors use (TLS usually ends at a proxy, so the
    // request itself cannot tell); production cannot start without it.
    servedOverHttps: e.PUBLIC_URL ? e.PUBLIC_URL.startsWith("https:") : false,
  };
}

let cached: Env | undefined;
let cachedPort: string | undefined;
export function getEnv(): Env {
  // PORT=0 listens on a free port, which the server writes back to PORT once it
  // listens (app/server/main.ts): the development origin must name that port.
  if (!cached || cachedPort !== process.env.PORT) {
    cached = parseEnv(process.env);
    cachedPort = process.env.PORT;
  }
  return cached;
}

/** Tests change process.env between cases; this forgets the parsed copy. */
export function resetEnvForTests() {
  cached = undefined;
}
