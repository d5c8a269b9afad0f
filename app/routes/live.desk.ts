import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireDesk } from "~/models/desk/desk.server";
import { getUser } from "~/services/auth.server";
import { eventStream } from "~/services/live/event-stream.server";
import { DESK_TOPIC } from "~/services/live/live-hub.server";
import { forResource } from "~/utils/page-errors.server";

// The paid queue's changes (a new paid ticket, a state change) as server-sent events, for the desk
// only (docs/decisions/049): whoever is not on the desk gets 404, as for the desk page.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getUser(request);
  return forResource(async () => {
    requireDesk(user);
    return eventStream(request, DESK_TOPIC, context.connectionClosed);
  });
}
