import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { isCrossSiteMutation } from "../services/csrf.server";

export function createApp(build: ServerBuild, root: string, trustedOrigins: string[]) {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);

  app.use((req, res, next) => {
    // The client address our rate limits use comes from the socket, never from a header the client controls.
    req.headers["x-backline-client-ip"] = req.socket.remoteAddress ?? "unknown";
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
    res.setHeader("X-Frame-Options", "SAMEORIGIN");
    const crossSite = isCrossSiteMutation(
      req.method,
      { origin: req.headers.origin, host: req.headers.host, secFetchSite: req.headers["sec-fetch-site"] as string | undefined },
      trustedOrigins,
    );
    if (!crossSite) return next();
    const message = "Cross-site request refused: this form or API call came from another website.";
    if (req.path.startsWith("/api/")) {
      res.status(403).json({ error: { code: "cross_site_request", message } });
    } else {
      res.status(403).type("text/plain").send(message);
    }
  });

  // Fingerprinted assets never change; everything else in public/ may.
  app.use("/build", express.static(path.join(root, "public/build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: "production" }));
  return app;
}
