import { useEffect, useSyncExternalStore } from "react";
import type { ThreadSupport } from "~/components/support/support-stub";
import type { ThreadCapabilities } from "~/models/community/thread.server";

// A signed-in member's thread page is the shared, viewer-independent page from the page cache plus this
// payload: the member's own state, spliced by the server into the slot below and applied by the client
// once it has hydrated the shared page (docs/decisions/042).

export const VIEWER_SLOT_ID = "viewer-state";
/** How React renders the empty slot; the server splices the payload into it. */
export const EMPTY_VIEWER_SLOT = `<div id="${VIEWER_SLOT_ID}" hidden=""></div>`;
/** Asks for the member's page rendered whole on the server: where the payload cannot apply (no JavaScript). */
export const FULL_RENDER_PARAM = "view";
export const FULL_RENDER_VALUE = "full";

export type ViewerPayload = {
  root: { user: { id: string; username: string; role: string }; unreadCount: number };
  thread: {
    viewer: { id: string; username: string };
    capabilities: ThreadCapabilities;
    votedPostIds: string[];
    support: ThreadSupport;
    replyToken: string;
  };
};

/**
 * The slot the server fills for a member's copy of a cached page. React neither hydrates nor patches an
 * element's inner HTML (dangerouslySetInnerHTML), so what the server put there stays as it was.
 */
export function ViewerSlot() {
  return <div id={VIEWER_SLOT_ID} hidden dangerouslySetInnerHTML={{ __html: "" }} suppressHydrationWarning />;
}

let read: ViewerPayload | null | undefined;
let hydrated = false;
const firstData = new Map<string, unknown>();

function payloadInDocument(): ViewerPayload | null {
  if (read === undefined) {
    const text = document.getElementById(VIEWER_SLOT_ID)?.querySelector("script")?.textContent;
    read = text ? (JSON.parse(text) as ViewerPayload) : null;
  }
  return read;
}

const noSubscription = () => () => {};

/**
 * The part of the payload for this route while `data` is still the loader data the page was hydrated with.
 * Hydration renders the shared page as the server sent it (no payload: the server snapshot), then React
 * renders again with the payload. Once the route's data is fetched again (after a vote, a reply, signing
 * out, or on another page) it carries the viewer itself, and the payload is done.
 */
export function useViewerPayload<K extends keyof ViewerPayload>(route: K, data: unknown): ViewerPayload[K] | null {
  // Only a browser hydrates; the server renders the shared page and keeps nothing between requests.
  if (typeof document !== "undefined" && !hydrated && !firstData.has(route)) firstData.set(route, data);
  const payload = useSyncExternalStore(noSubscription, payloadInDocument, () => null);
  return payload && firstData.get(route) === data ? payload[route] : null;
}

/** Rendered once in the root: after the first commit, later loader data never takes the document's payload. */
export function useEndOfHydration() {
  useEffect(() => {
    hydrated = true;
  }, []);
}
