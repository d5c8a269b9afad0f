import { forbidden, unauthorized } from "~/utils/errors";

export const ROLES = ["member", "moderator", "maintainer", "admin"] as const;
export type Role = (typeof ROLES)[number];

// Permission strings: "<resource>:<action>[:own|:any]". Checked by one helper
// before any model call; the model then trusts the caller's scope.
const MEMBER = [
  "thread:create",
  "post:create",
  "post:edit:own",
  "post:delete:own",
  "post:vote",
  "post:flag",
  "answer:accept:own",
  "escalation:create",
  "insurance:buy",
  "ticket:read:own",
  "ticket:reply:own",
  "token:create",
] as const;

const MODERATOR = [
  ...MEMBER,
  "post:edit:any",
  "post:hide:any",
  "post:delete:any",
  "thread:lock:any",
  "thread:move:any",
  "answer:accept:any",
  "flag:handle",
  "revision:read:any",
  "audit:read",
] as const;

const MAINTAINER = [
  ...MEMBER,
  "ticket:read:any",
  "ticket:reply:any",
  "ticket:decide",
  "ticket:note",
  "desk:view",
  "macro:use",
] as const;

const ADMIN = [
  ...new Set([
    ...MODERATOR,
    ...MAINTAINER,
    "category:manage",
    "tier:manage",
    "macro:manage",
    "insurance:manage",
    "settings:manage",
    "user:role:manage",
    "jobs:view",
  ]),
];

export type Permission = (typeof ADMIN)[number];

const BY_ROLE: Record<Role, ReadonlySet<string>> = {
  member: new Set(MEMBER),
  moderator: new Set(MODERATOR),
  maintainer: new Set(MAINTAINER),
  admin: new Set(ADMIN),
};

type Actor = { id: string; role: Role } | null | undefined;

/**
 * `can(user, "post:edit")` with an owner id checks ":own" for the owner and ":any"
 * otherwise; a full string like "ticket:read:any" is checked as written.
 */
export function can(user: Actor, permission: string, ownerId?: string | null): boolean {
  if (!user) return false;
  const granted = BY_ROLE[user.role];
  if (ownerId === undefined) return granted.has(permission);
  if (ownerId === user.id && granted.has(`${permission}:own`)) return true;
  return granted.has(`${permission}:any`);
}

export function requirePermission(user: Actor, permission: string, ownerId?: string | null): asserts user {
  if (!user) throw unauthorized();
  if (!can(user, permission, ownerId)) throw forbidden();
}

export function permissionsOf(role: Role): string[] {
  return [...BY_ROLE[role]].sort();
}
