import { createHmac, randomFillSync } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import type { ServerResponse } from "node:http";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";

// Security headers for every response, and the Content-Security-Policy nonce
// that lets only our own inline scripts (Remix's hydration data, scroll
// restoration, React's streaming) run. See docs/decisions/018.

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The nonce this response's inline <script> tags carry (app/entry.server.tsx). */
    cspNonce?: string;
  }
}

/** Where Stripe Checkout lives: escalation and insurance forms end in a redirect there. */
export const STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com";

const NONCE_BYTES = 16;
// One call to the CSPRNG fills the nonces of 256 responses (a call per response was a visible part of a cached
// hit); every byte is still used once.
const noncePool = Buffer.alloc(NONCE_BYTES * 256);
let noncePoolUsed = noncePool.length;
export function newNonce() {
  if (noncePoolUsed === noncePool.length) {
    randomFillSync(noncePool);
    noncePoolUsed = 0;
  }
  noncePoolUsed += NONCE_BYTES;
  return noncePool.toString("base64url", noncePoolUsed - NONCE_BYTES, noncePoolUsed);
}

/**
 * What shared (page-cache) renders carry instead of a nonce; every response
 * swaps in a fresh nonce of the same length, so Content-Length stays right.
 * Never sent to anyone, so markup injected into a cached page cannot borrow it
 * to get a script past the policy; derived from the session secret so that
 * every server renders the same bytes and agrees on ETags.
 */
export function noncePlaceholder(secret: string) {
  return createHmac("sha256", secret).update("backline csp nonce placeholder").digest().subarray(0, NONCE_BYTES).toString("base64url");
}

export function contentSecurityPolicy(nonce: string) {
  return [
    "default-src 'self'",
    // Every script is first-party under /build; inline ones need this response's nonce.
    // No 'strict-dynamic': it would disable 'self', and Remix's <link rel="modulepreload">
    // tags carry no nonce, so the preloads would be refused.
    `script-src 'self' 'nonce-${nonce}'`,
    // Stylesheets are files; a few components set style attributes (badges, pre-wrap
    // text), which only style-src-attr allows. No inline <style> elements.
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    // Posts may embed images from any web address (app/services/markdown.server.ts).
    "img-src 'self' https: http:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    // Paying for support posts a form whose answer redirects to Stripe Checkout.
    `form-action 'self' ${STRIPE_CHECKOUT_ORIGIN}`,
  ].join("; ");
}

export type SecurityHeaderOptions = { hsts: boolean };

/** The headers every response carries, with a fresh nonce in its policy; returns the nonce. */
export function setSecurityHeaders(res: ServerResponse, { hsts }: SecurityHeaderOptions): string {
  const nonce = newNonce();
  res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce));
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
  // For browsers without frame-ancestors.
  res.setHeader("X-Frame-Options", "DENY");
  // A forum needs no camera, microphone, location or in-page payment (Stripe Checkout is its own site),
  // so injected markup cannot ask for them; and no other window keeps a handle on ours.
  res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  // Only when visitors come over HTTPS: a browser that pinned HTTPS for a
  // plain-HTTP deployment (or for localhost) could no longer reach it.
  if (hsts) res.setHeader("Strict-Transport-Security", "max-age=31536000");
  return nonce;
}

/** Express middleware: the security headers, and `res.locals.cspNonce` for the render. */
export function securityHeaders(options: SecurityHeaderOptions) {
  return (_req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    res.locals.cspNonce = setSecurityHeaders(res, options);
    next();
  };
}

export const nonceOf = (res: ExpressResponse) => res.locals.cspNonce as string;

/** A cached body with this response's nonce in place of the placeholder. */
function withNonce(body: Buffer, placeholder: string, nonce: string): Buffer {
  const from = Buffer.from(placeholder);
  let at = body.indexOf(from);
  if (at === -1) return body;
  const out = Buffer.from(body);
  const to = Buffer.from(nonce);
  while (at !== -1) {
    to.copy(out, at);
    at = body.indexOf(from, at + from.length);
  }
  return out;
}

/**
 * The same substitution for a streamed body, without waiting for its end. A
 * chunk that ends in the start of the placeholder keeps that start back until
 * the next chunk shows whether the placeholder straddles the two.
 */
export function nonceStream(placeholder: string, nonce: string): Transform {
  let held: Buffer = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const data = withNonce(Buffer.concat([held, chunk]), placeholder, nonce);
      const cut = data.length - partialAtEnd(data, Buffer.from(placeholder));
      held = data.subarray(cut);
      done(null, data.subarray(0, cut));
    },
    flush(done: TransformCallback) {
      done(null, held);
    },
  });
}

function partialAtEnd(data: Buffer, placeholder: Buffer): number {
  for (let k = Math.min(placeholder.length - 1, data.length); k > 0; k--) {
    if (data.subarray(data.length - k).equals(placeholder.subarray(0, k))) return k;
  }
  return 0;
}
