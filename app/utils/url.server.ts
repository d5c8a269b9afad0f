import { getEnv } from "~/env.server";

/** The site's own origin: PUBLIC_URL when configured, else the request's. */
export function siteOrigin(request: Request): string {
  const env = getEnv();
  if (env.PUBLIC_URL) return env.publicUrl;
  return new URL(request.url).origin;
}

/** A same-site path to return to after sign-in; anything else falls back to home. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}
