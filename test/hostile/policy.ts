import { expect } from "vitest";
import { noncePlaceholder } from "~/server/security-headers";

// Reading a response's Content-Security-Policy the way a browser would, for the
// hostile-world header tests.

/** The placeholder a test server (development secret) renders shared pages with; it must never reach anyone. */
export const TEST_PLACEHOLDER = noncePlaceholder("backline-development-session-secret-not-for-production");

export type Policy = Record<string, string[]>;

export function parsePolicy(header: string | null): Policy {
  expect(header, "Content-Security-Policy header").toBeTruthy();
  return Object.fromEntries(
    header!
      .split(";")
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name!.toLowerCase(), values];
      }),
  );
}

export function nonceOfPolicy(policy: Policy): string {
  const nonces = (policy["script-src"] ?? []).filter((s) => s.startsWith("'nonce-")).map((s) => s.slice(7, -1));
  expect(nonces, "exactly one script nonce").toHaveLength(1);
  return nonces[0]!;
}

/**
 * The guarantees every HTML response must keep: a strict script policy whose
 * nonce is on every <script> in the body (and only that nonce), framing
 * refused, and the companion headers. Returns the nonce.
 */
export function expectLockedDownHtml(res: Response, body: string, what: string): string {
  expect(res.headers.get("content-type"), what).toMatch(/^text\/html/);
  const policy = parsePolicy(res.headers.get("content-security-policy"));
  const nonce = nonceOfPolicy(policy);
  expect(nonce, what).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(policy["script-src"], what).not.toContain("'unsafe-inline'");
  expect(policy["script-src"], what).not.toContain("'unsafe-eval'");
  expect(policy["default-src"], what).toEqual(["'self'"]);
  expect(policy["object-src"], what).toEqual(["'none'"]);
  expect(policy["base-uri"], what).toEqual(["'self'"]);
  expect(policy["frame-ancestors"], what).toEqual(["'none'"]);
  expect(policy["form-action"], what).toEqual(["'self'", "https://checkout.stripe.com"]);
  expect(policy["style-src"], what).not.toContain("'unsafe-inline'");
  expect(res.headers.get("x-frame-options"), what).toBe("DENY");
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), what).toBe("strict-origin-when-cross-origin");
  expect(res.headers.get("permissions-policy"), what).toBe("camera=(), microphone=(), geolocation=(), payment=(), usb=()");
  expect(res.headers.get("cross-origin-opener-policy"), what).toBe("same-origin");

  const scripts = body.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length, `${what}: inline scripts to hydrate`).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, what).toContain(` nonce="${nonce}"`);
  const nonceAttributes = [...body.matchAll(/\bnonce="([^"]*)"/g)].map((m) => m[1]);
  expect(new Set(nonceAttributes), `${what}: one nonce throughout`).toEqual(new Set([nonce]));
  expect(body, `${what}: the shared-render placeholder never leaves the server`).not.toContain(TEST_PLACEHOLDER);
  return nonce;
}
