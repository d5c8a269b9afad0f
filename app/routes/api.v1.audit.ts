import { listAudit as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/guards.server";
import { listAudit } from "~/models/moderation/audit.server";

// The model parses the raw query itself: date-only bounds include the whole day.
export const loader = handle(
  on(
    endpointDef,
    async ({ request, user }) => listAudit(user, Object.fromEntries(new URL(request.url).searchParams)),
    staffOnly("audit:read"),
  ),
);
