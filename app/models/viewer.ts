import { can } from "./permissions";
import type { Actor } from "./types";

export type Viewer = Actor | null;

/** Hidden or deleted content stays visible to moderators and to its author only. */
export function canSeeRemoved(viewer: Viewer, authorId: string) {
  return Boolean(viewer && (viewer.id === authorId || can(viewer, "post:hide:any")));
}

export const isModerator = (viewer: Viewer) => can(viewer, "post:hide:any");
