import { getEnv } from "~/env.server";

/** The site's own origin: PUBLIC_URL when configured, else the request's. */
export function siteOrigin(request: Request): string {
  const env = getEnv();
  if (env.PUBLIC_URL) return env.publicUrl;
  return new URL(request.url).origin;
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
