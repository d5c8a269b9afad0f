import type { LoaderFunctionArgs } from "@remix-run/node";
import { findVisibleThread } from "~/models/community/visibility.server";
import { getUser } from "~/services/auth.server";
import { eventStream } from "~/services/live/event-stream.server";
import { threadTopic } from "~/services/live/live-hub.server";
import { forResource } from "~/utils/page-errors.server";

// New replies on a thread as server-sent events (docs/decisions/049). A thread this reader may not
// see answers 404 like the page; the events carry counts only, and the page's loader decides what
// the reader then sees. Outside the page cache's public paths on purpose: a stream is never shared.
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await getUser(request);
  return forResource(async () => {
    const thread = await findVisibleThread(user, params.id ?? "", { id: true });
    return eventStream(request, threadTopic(thread.id), context.connectionClosed);
  });
}
