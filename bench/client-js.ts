import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

// What a browser downloads of JavaScript for one page: the client entry, the
// root route and the page's route module, with every chunk they import (Remix
// renders each as a <script type="module"> or <link rel="modulepreload">), read
// from the built manifest in public/build. Used by the JS budget test and the
// Lighthouse benchmark (docs/decisions/043).

type ManifestRoute = { module: string; imports?: string[] };
type Manifest = { entry: { module: string; imports: string[] }; routes: Record<string, ManifestRoute> };

export type ScriptSizes = { files: number; raw: number; gzip: number; br: number; largest: { file: string; raw: number }[] };

export function readManifest(root: string): Manifest {
  const dir = path.join(root, "public/build");
  const file = readdirSync(dir).find((f) => /^manifest-\w+\.js$/.test(f));
  if (!file) throw new Error(`no Remix manifest in ${dir}: run npm run build first`);
  const source = readFileSync(path.join(dir, file), "utf8");
  return JSON.parse(source.replace(/^window\.__remixManifest=/, "").replace(/;\s*$/, "")) as Manifest;
}

/** The /build/… addresses of every script the page of `routeId` loads. */
export function pageScripts(manifest: Manifest, routeId: string): string[] {
  const route = manifest.routes[routeId];
  if (!route) throw new Error(`no route ${routeId} in the manifest`);
  const root = manifest.routes.root!;
  return [
    ...new Set([
      manifest.entry.module,
      ...manifest.entry.imports,
      root.module,
      ...(root.imports ?? []),
      route.module,
      ...(route.imports ?? []),
    ]),
  ];
}

/** Bytes on the wire for those scripts: as stored, gzipped (level 6, the compression middleware's) and as brotli (quality 4, likewise). */
export function scriptSizes(root: string, scripts: string[]): ScriptSizes {
  const sizes = scripts.map((address) => {
    const bytes = readFileSync(path.join(root, "public", address));
    return {
      file: address,
      raw: bytes.length,
      gzip: zlib.gzipSync(bytes, { level: 6 }).length,
      br: zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }).length,
    };
  });
  const sum = (key: "raw" | "gzip" | "br") => sizes.reduce((n, s) => n + s[key], 0);
  const largest = [...sizes]
    .sort((a, b) => b.raw - a.raw)
    .slice(0, 3)
    .map(({ file, raw }) => ({ file, raw }));
  return { files: sizes.length, raw: sum("raw"), gzip: sum("gzip"), br: sum("br"), largest };
}
