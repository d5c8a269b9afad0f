import { getEnv } from "~/env.server";

/**
 * The origin every absolute link is built from: PUBLIC_URL (required in production), else
 * http://localhost:$PORT. Never the request's: Host, X-Forwarded-Host, Forwarded and Origin
 * are chosen by whoever sends the request, and a reset link built from them hands the token over.
 */
export function siteOrigin(): string {
  return getEnv().publicUrl;
}

const PROBE_ORIGIN = "http://backline.invalid";

/**
 * A same-site path to return to after sign-in; anything else falls back.
 * Browsers drop tabs and newlines from a Location and read a backslash as "/", so
 * "/\t/evil.example" and "/\\evil.example" would leave the site: a target
 * with a control character, a backslash or an encoded slash or backslash at
 * the start is refused outright, and what remains must resolve to this origin.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || to.length > 2000 || !to.startsWith("/")) return fallback;
  if (/[\u0000-\u001f\u007f\\]/.test(to) || /^\/+(%2f|%5c)/i.test(to) || to.startsWith("//")) return fallback;
  let url: URL;
  try {
    url = new URL(to, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  // Resolving "/..//evil.example" gives "//evil.example": checked again after.
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== PROBE_ORIGIN || path.startsWith("//")) return fallback;
  return path;
}
