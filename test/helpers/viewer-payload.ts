import type { ViewerPayload } from "~/utils/viewer-payload";

/** The member's own state spliced into a shared page (docs/decisions/042), or null when the page has none. */
export function viewerPayload(html: string): ViewerPayload | null {
  const slots = [...html.matchAll(/<div id="viewer-state" hidden="">([\s\S]*?)<\/div>/g)];
  if (slots.length !== 1) throw new Error(`expected one viewer slot, found ${slots.length}`);
  const json = /<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/.exec(slots[0]![1]!)?.[1];
  return json ? (JSON.parse(json) as ViewerPayload) : null;
}
