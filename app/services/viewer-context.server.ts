import { AsyncLocalStorage } from "node:async_hooks";

// The page cache shares one render among every anonymous visitor, so a render
// that looked up a signed-in person (session or API token) must never be
// stored, however the request slipped past the credential check in front of
// the cache (docs/decisions/023). The cache opens a context around its render;
// the look-ups of a viewer mark it.
//
// One store per process: the server bundle (the cache) and the Remix build
// (the look-ups) each carry a copy of this module (ADR 019).
type RenderViewer = { resolved: boolean };
const KEY = Symbol.for("backline.renderViewer");
const registry = globalThis as unknown as { [KEY]?: AsyncLocalStorage<RenderViewer> };
const storage = (registry[KEY] ??= new AsyncLocalStorage<RenderViewer>());

/** Runs a shared render; `resolved` turns true once anything in it looked up a viewer. */
export function trackViewer<T>(render: () => T): { result: T; viewer: Readonly<RenderViewer> } {
  const viewer: RenderViewer = { resolved: false };
  return { result: storage.run(viewer, render), viewer };
}

/** Called by every look-up of a viewer from a credential, before it answers. */
export function markViewerLookup() {
  const viewer = storage.getStore();
  if (viewer) viewer.resolved = true;
}
