import { pausedMessage, presentStatus, supportStatus } from "~/models/availability/availability.server";
import { hasPendingReopenRequest } from "~/models/availability/reopen.server";

/** Intake as the gate page shows it to one member. */
export async function gateIntake(userId: string) {
  const [status, reopenRequested] = await Promise.all([supportStatus(), hasPendingReopenRequest(userId)]);
  return {
    ...presentStatus(status),
    message: status.open ? null : pausedMessage(status.reason, status.reopensAt),
    reopenRequested,
  };
}
