import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "~/env.server";

describe("configuration", () => {
  it("runs a fresh clone with embedded defaults", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.production).toBe(false);
    expect(env.paymentsMode).toBe("test");
    expect(env.searchEngine).toBe("postgres");
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.dataDir.endsWith(".data")).toBe(true);
  });

  it("selects Stripe and Meilisearch when they are configured", () => {
    const env = parseEnv({ STRIPE_SECRET_KEY: "sk_test_123", STRIPE_WEBHOOK_SECRET: "whsec_1", MEILI_HOST: "http://127.0.0.1:7700" });
    expect(env.paymentsMode).toBe("stripe");
    expect(env.searchEngine).toBe("meilisearch");
  });

  it("waits a minute for a Meilisearch task unless told otherwise, and refuses a timeout under a second", () => {
    expect(parseEnv({}).MEILI_TASK_TIMEOUT_MS).toBe(60_000);
    expect(parseEnv({ MEILI_TASK_TIMEOUT_MS: "300000" }).MEILI_TASK_TIMEOUT_MS).toBe(300_000);
    expect(() => parseEnv({ MEILI_TASK_TIMEOUT_MS: "50" })).toThrow(/MEILI_TASK_TIMEOUT_MS/);
    expect(() => parseEnv({ MEILI_TASK_TIMEOUT_MS: "soon" })).toThrow(/MEILI_TASK_TIMEOUT_MS/);
  });

  it("refuses to start production without a session secret and Stripe settings, naming each", () => {
    let message = "";
    try {
      parseEnv({ BACKLINE_MODE: "production" });
    } catch (e) {
      expect(e).toBeInstanceOf(EnvError);
      message = (e as Error).message;
    }
    expect(message).toContain("PUBLIC_URL");
    expect(message).toContain("SESSION_SECRET");
    expect(message).toContain("STRIPE_SECRET_KEY");
    expect(message).toContain("STRIPE_WEBHOOK_SECRET");
  });

  it("accepts a complete production configuration", () => {
    const env = parseEnv({
      BACKLINE_MODE: "production",
      PUBLIC_URL: "https://forum.example.com",
      SESSION_SECRET: "x".repeat(40),
      STRIPE_SECRET_KEY: "sk_live_abc",
      STRIPE_WEBHOOK_SECRET: "whsec_abc",
    });
    expect(env.production).toBe(true);
    expect(env.paymentsMode).toBe("stripe");
    expect(env.publicUrl).toBe("https://forum.example.com");
  });

  it("refuses production with a Stripe test key, which takes no real money (issue 14 §2)", () => {
    const production = {
      BACKLINE_MODE: "production",
      PUBLIC_URL: "https://forum.example.com",
      SESSION_SECRET: "x".repeat(40),
      STRIPE_WEBHOOK_SECRET: "whsec_abc",
    };
    expect(() => parseEnv({ ...production, STRIPE_SECRET_KEY: "sk_test_abc" })).toThrow(
      /STRIPE_SECRET_KEY is a Stripe test key .*sk_live_/,
    );
    expect(() => parseEnv({ ...production, STRIPE_SECRET_KEY: "rk_test_abc" })).toThrow(/test key/);
    expect(parseEnv({ ...production, STRIPE_SECRET_KEY: "rk_live_abc" }).paymentsMode).toBe("stripe");
    // Development (a staging copy) may use test keys.
    expect(parseEnv({ STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_WEBHOOK_SECRET: "whsec_abc" }).paymentsMode).toBe("stripe");
  });

  it("refuses production without PUBLIC_URL, naming it: links are never built from a request's Host", () => {
    const production = {
      BACKLINE_MODE: "production",
      SESSION_SECRET: "x".repeat(40),
      STRIPE_SECRET_KEY: "sk_live_abc",
      STRIPE_WEBHOOK_SECRET: "whsec_abc",
    };
    expect(() => parseEnv(production)).toThrow(/PUBLIC_URL is required when BACKLINE_MODE=production/);
    expect(() => parseEnv({ ...production, PUBLIC_URL: " " })).toThrow(/PUBLIC_URL is required/);
  });

  it("takes PUBLIC_URL as an origin only, and refuses anything links could not be appended to", () => {
    expect(parseEnv({ PUBLIC_URL: "https://Forum.Example.com:443/" }).publicUrl).toBe("https://forum.example.com");
    expect(parseEnv({ PUBLIC_URL: "http://forum.example.com:8080" }).publicUrl).toBe("http://forum.example.com:8080");
    const refused: [string, RegExp][] = [
      ["https://forum.example.com/forum", /origin only/],
      ["https://forum.example.com/?next=1", /origin only/],
      ["https://forum.example.com#top", /origin only/],
      ["https://admin:secret@forum.example.com", /user name or password/],
      ["ftp://forum.example.com", /http:\/\/ or https:\/\//],
      ["javascript:alert(1)", /http:\/\/ or https:\/\//],
      ["forum.example.com", /must be a URL/],
    ];
    for (const [value, message] of refused) expect(() => parseEnv({ PUBLIC_URL: value }), value).toThrow(message);
  });

  it("in development without PUBLIC_URL, links point where the server listens", () => {
    expect(parseEnv({}).publicUrl).toBe("http://localhost:3000");
    expect(parseEnv({ PORT: "8080", HOST: "0.0.0.0" }).publicUrl).toBe("http://localhost:8080");
    expect(parseEnv({ PORT: "8080", HOST: "127.0.0.1" }).publicUrl).toBe("http://127.0.0.1:8080");
  });

  it("names a malformed value", () => {
    expect(() => parseEnv({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => parseEnv({ MEILI_HOST: "not a url" })).toThrow(/MEILI_HOST/);
    expect(() => parseEnv({ BACKLINE_MODE: "prod" })).toThrow(/BACKLINE_MODE/);
  });
});
