const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A mutating request sent by a page of another site. Browsers always send
 * Origin on cross-origin POSTs and Sec-Fetch-Site on modern engines; scripts
 * and Stripe's webhooks send neither and are authenticated otherwise.
 */
export function isCrossSiteMutation(
  method: string,
  headers: { origin?: string; host?: string; secFetchSite?: string },
  trustedOrigins: string[] = [],
): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  if (headers.secFetchSite === "cross-site") return true;
  const origin = headers.origin;
  if (!origin) return false;
  if (origin === "null") return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true;
  }
  if (headers.host && originHost === headers.host) return false;
  return !trustedOrigins.some((t) => {
    try {
      return new URL(t).host === originHost;
    } catch {
      return false;
    }
  });
}
