import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { dismissFlag, dismissFlagsOnPost, flagPost } from "~/models/moderation/flag.server";
import { deletePost, hidePost, restorePost, unhidePost } from "~/models/moderation/post-moderation.server";
import {
  deleteThread,
  hideThread,
  lockThread,
  moveThread,
  restoreThread,
  unhideThread,
  unlockThread,
} from "~/models/moderation/thread-moderation.server";
import { getUser, type CurrentUser } from "~/services/auth.server";
import { badRequest, isAppError } from "~/utils/errors";
import { safeRedirect } from "~/utils/url.server";
import { readForm } from "~/utils/form-action.server";
import { formFailureJson, textFailure } from "~/utils/app-error-response.server";

// The browser's moderation forms (components/moderation-controls.tsx and
// components/flag-button.tsx) post here; the models check every permission.

type Input = { reason?: string; details?: string; category?: string };
type Run = (user: CurrentUser, id: string, input: Input) => Promise<unknown>;

const ACTIONS: Record<string, { run: Run; done: string }> = {
  // On one post
  "hide-post": { run: hidePost, done: "Post hidden." },
  "unhide-post": { run: unhidePost, done: "Post visible again." },
  "delete-post": { run: deletePost, done: "Post deleted." },
  "restore-post": { run: restorePost, done: "Post restored." },
  // On a whole thread, with its question
  "hide-thread": { run: hideThread, done: "Thread hidden." },
  "unhide-thread": { run: unhideThread, done: "Thread visible again." },
  "lock-thread": { run: lockThread, done: "Thread locked." },
  "unlock-thread": { run: unlockThread, done: "Thread unlocked." },
  "move-thread": { run: moveThread, done: "Thread moved." },
  "delete-thread": { run: deleteThread, done: "Thread deleted." },
  "restore-thread": { run: restoreThread, done: "Thread restored." },
  // Flags: any member raises one; moderators dismiss them
  flag: { run: flagPost, done: "Thanks. A moderator will review this post." },
  "dismiss-flags": { run: dismissFlagsOnPost, done: "Flags dismissed." },
  "dismiss-flag": { run: dismissFlag, done: "Flag dismissed." },
};

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" && v.trim() ? v : undefined;
};

// Only paths on this site, never "//evil.example" or "/\\evil.example".
const safeBack = (to: string | undefined) => safeRedirect(to, "/mod");

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const back = safeBack(text(form, "redirectTo"));
  const user = await getUser(request);
  if (!user) return redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
  const intent = String(form.get("intent") ?? "");
  const id = String(form.get("id") ?? "");
  const wantsJson = form.get("_response") === "json";
  try {
    const act = ACTIONS[intent];
    if (!act) throw badRequest("Unknown moderation action.");
    if (!id) throw badRequest("Nothing to act on.");
    await act.run(user, id, { reason: text(form, "reason"), details: text(form, "details"), category: text(form, "category") });
    return wantsJson ? { ok: true as const, message: act.done } : redirect(back);
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (wantsJson) return formFailureJson(error);
    // Without JavaScript the browser shows this answer itself.
    return textFailure(error, "\nGo back and try again.\n");
  }
}
