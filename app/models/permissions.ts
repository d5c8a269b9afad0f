import type { Actor, Role } from "~/models/types";
import { forbidden, unauthorized } from "~/utils/errors";

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
  "availability:manage",
] as const;

const ADMIN = [
  ...MODERATOR,
  ...MAINTAINER,
  "category:manage",
  "tier:manage",
  "macro:manage",
  "insurance:manage",
  "settings:manage",
  "user:role:manage",
  "jobs:view",
] as const;

export type Permission = (typeof ADMIN)[number];

type Unscoped<P> = P extends `${infer Base}:own` ? Base : P extends `${infer Base}:any` ? Base : never;
/** "post:edit" for `can(user, "post:edit", ownerId)`: ":own" or ":any" is picked from the owner. */
export type ScopedPermission = Unscoped<Permission>;

const BY_ROLE: Record<Role, ReadonlySet<Permission>> = {
  member: new Set(MEMBER),
  moderator: new Set(MODERATOR),
  maintainer: new Set(MAINTAINER),
  admin: new Set(ADMIN),
};

/** Every role, in rising order; BY_ROLE's type makes sure none of Prisma's roles is missing. */
export const ROLES = Object.keys(BY_ROLE) as Role[];

/**
 * `can(user, "post:edit")` with an owner id checks ":own" for the owner and ":any"
 * otherwise; a full string like "ticket:read:any" is checked as written.
 */
export function can(user: Actor | null | undefined, permission: Permission | ScopedPermission, ownerId?: string | null): boolean {
  if (!user) return false;
  const granted: ReadonlySet<string> = BY_ROLE[user.role];
  if (ownerId === undefined) return granted.has(permission);
  if (ownerId === user.id && granted.has(`${permission}:own`)) return true;
  return granted.has(`${permission}:any`);
}

export function requirePermission(
  user: Actor | null | undefined,
  permission: Permission | ScopedPermission,
  ownerId?: string | null,
): asserts user {
  if (!user) throw unauthorized();
  if (!can(user, permission, ownerId)) throw forbidden();
}

export function permissionsOf(role: Role): Permission[] {
  return [...BY_ROLE[role]].sort();
}
