import { siteOrigin } from "~/utils/url.server";

export const loader = () => {
  const body = [
    "User-agent: *",
    "Disallow: /api/",
    "Disallow: /settings",
    "Disallow: /tickets",
    "Disallow: /desk",
    "Disallow: /login",
    "Disallow: /join",
    "Disallow: /reset-password/",
    "Disallow: /notifications",
    "Disallow: /unsubscribe/",
    "Disallow: /mod",
    "Disallow: /admin",
    "Disallow: /test-checkout/",
    "Disallow: /escalate/",
    `Sitemap: ${siteOrigin()}/sitemap.xml`,
    "",
  ].join("\n");
  return new Response(body, { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=3600" } });
};
