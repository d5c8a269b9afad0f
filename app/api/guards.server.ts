import { can, type Permission } from "~/models/permissions";
import { authorizePostChange } from "~/models/community/post.server";
import { authorizeTicket } from "~/models/tickets/ticket.server";
import { authorizeWithdraw } from "~/models/tickets/withdraw.server";
import { findVisibleThread } from "~/models/community/visibility.server";
import { forbidden, unauthorized } from "~/utils/errors";
import type { Guard } from "./endpoint.server";

// Guards for `on(endpoint, fn, guard)`: who may call an endpoint on this
// resource, answered before the body is validated (authorization matrix,
// test/hostile/authorization.test.ts), once per request; a model checks again
// only where other callers reach it without a guard (the moderation forms).

const signedIn = (user: Parameters<Guard>[0]["user"]) => {
  if (!user) throw unauthorized();
  return user;
};

/** A permission that does not depend on the resource (admin and moderation endpoints). */
export const needs =
  (permission: Permission, refusal?: string): Guard =>
  ({ user }) => {
    if (!can(signedIn(user), permission)) throw forbidden(refusal);
  };

/** Moderation endpoints: the models check again, since the moderation forms (mod.actions) call them without a guard. */
export const staffOnly = (permission: Permission) => needs(permission, "Only moderators can do that.");

/** The author, or a moderator: editing and deleting posts. */
export const mayChangePost =
  (action: "edit" | "delete"): Guard =>
  async ({ user, params }) => {
    await authorizePostChange(signedIn(user), params.id ?? "", action);
  };

/** The author, or a moderator: deleting a thread. */
export const mayDeleteThread: Guard = async ({ user, params }) => {
  const actor = signedIn(user);
  const thread = await findVisibleThread(actor, params.id ?? "");
  if (!can(actor, "post:delete", thread.authorId)) throw forbidden("You can only delete your own threads.");
};

/** The ticket's owner or the desk; others get 404 as if it did not exist. With `decide`, the desk only (403 for the owner). */
export const mayActOnTicket =
  (decide = false): Guard =>
  async ({ user, params }) => {
    await authorizeTicket(signedIn(user), params.id ?? "", decide ? "ticket:decide" : undefined);
  };

/** The ticket's owner only: the desk gets 403 (it rejects instead), others 404. */
export const mayWithdrawTicket: Guard = async ({ user, params }) => {
  await authorizeWithdraw(signedIn(user), params.id ?? "");
};
