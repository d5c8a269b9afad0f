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

  it("refuses to start production without a session secret and Stripe settings, naming each", () => {
    let message = "";
    try {
      parseEnv({ BACKLINE_MODE: "production" });
    } catch (e) {
      expect(e).toBeInstanceOf(EnvError);
      message = (e as Error).message;
    }
    expect(message).toContain("SESSION_SECRET");
    expect(message).toContain("STRIPE_SECRET_KEY");
    expect(message).toContain("STRIPE_WEBHOOK_SECRET");
  });

  it("accepts a complete production configuration", () => {
    const env = parseEnv({
      BACKLINE_MODE: "production",
      SESSION_SECRET: "x".repeat(40),
      STRIPE_SECRET_KEY: "sk_live_abc",
      STRIPE_WEBHOOK_SECRET: "whsec_abc",
    });
    expect(env.production).toBe(true);
    expect(env.paymentsMode).toBe("stripe");
  });

  it("names a malformed value", () => {
    expect(() => parseEnv({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => parseEnv({ MEILI_HOST: "not a url" })).toThrow(/MEILI_HOST/);
    expect(() => parseEnv({ BACKLINE_MODE: "prod" })).toThrow(/BACKLINE_MODE/);
  });
});
