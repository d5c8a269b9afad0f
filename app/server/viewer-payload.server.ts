import { threadViewerState } from "~/models/community/thread-viewer.server";
import { userForSessionWith } from "~/models/accounts/auth-session.server";
import { sessionReader } from "~/services/auth.server";
import { newFormToken } from "~/utils/form-once.server";
import { threadPageNumber } from "~/utils/urls";
import { FULL_RENDER_PARAM, FULL_RENDER_VALUE, VIEWER_SLOT_ID, type ViewerPayload } from "~/utils/viewer-payload";

// Exported by the server entry for app/server/http.ts (docs/decisions/042): it runs outside the page
// cache's shared render, on the member's own request, and its answer is sent privately.

const escapeAttribute = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
// JSON inside <script>: no "</script>" or "<!--" can end or bend the element.
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

/**
 * The filled viewer slot for a signed-in member's thread page (`request` carries their cookie), or null when
 * their page is not the shared one plus their own state: then the whole page is rendered for them. The data block
 * carries the response's nonce like every script of the page, though browsers never run it. `version`, the page
 * cache's content version, lets state that is the same for every member be reused while nothing changed.
 */
export async function threadViewerSlot(request: Request, threadId: string, nonce: string, version: string | null): Promise<string | null> {
  const url = new URL(request.url);
  const state = await threadViewerState(threadId, threadPageNumber(url), version, (also) =>
    sessionReader(request, (sessionId) => userForSessionWith(sessionId, also)),
  );
  if (!state) return null;
  const { viewer: user, capabilities, votedPostIds, support, unreadCount } = state;
  const payload: ViewerPayload = {
    root: { user: { id: user.id, username: user.username, role: user.role }, unreadCount },
    thread: { viewer: { id: user.id, username: user.username }, capabilities, votedPostIds, support, replyToken: newFormToken() },
  };
  // Without JavaScript the payload cannot apply: the browser follows this to the page rendered whole.
  url.searchParams.set(FULL_RENDER_PARAM, FULL_RENDER_VALUE);
  const full = `${url.pathname}${url.search}`;
  return (
    `<div id="${VIEWER_SLOT_ID}" hidden=""><script type="application/json" nonce="${escapeAttribute(nonce)}">${scriptJson(payload)}</script>` +
    `<noscript><meta http-equiv="refresh" content="0; url=${escapeAttribute(full)}"></noscript></div>`
  );
}
