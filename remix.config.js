/** @type {import('@remix-run/dev').AppConfig} */
module.exports = {
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  serverModuleFormat: "cjs",
  // ESM-only packages must be bundled into the CJS server build. Database
  // packages stay external: PGlite locates its wasm through import.meta.url.
  serverDependenciesToBundle: [/^remix-auth/, /^marked/, /^@mjackson\//, /^@oslojs\//],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: true,
  },
};
