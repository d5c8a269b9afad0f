import type { LinksFunction } from "@remix-run/node";
import { useFetcher, useLocation } from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import styles from "~/styles/moderation.css";
import { useHydrated } from "~/utils/use-hydrated";
import { Field } from "./field";

// Moderator buttons for a post or a thread, and the author's own "Delete".
// Every form (these and the flag button) posts to the /mod/actions resource
// route, which calls the same model functions as the API.
export const MOD_ACTIONS_PATH = "/mod/actions";

/** Routes that render these controls add `links: moderationLinks`. */
export const moderationLinks: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export type ModActionResult = { ok: true; message: string } | { ok: false; message: string; fields?: Record<string, string> };

/** After hydration forms ask for JSON; without JavaScript the route redirects back instead. */
export function useModAction(key?: string) {
  const fetcher = useFetcher<ModActionResult>({ key });
  const location = useLocation();
  const hydrated = useHydrated();
  const hidden = (
    <>
      <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} />
      {hydrated ? <input type="hidden" name="_response" value="json" /> : null}
    </>
  );
  return { fetcher, hidden, busy: fetcher.state !== "idle", result: fetcher.state === "idle" ? fetcher.data : undefined };
}

export type ModAction = ReturnType<typeof useModAction>;

export function ActionResult({ result }: { result?: ModActionResult }) {
  if (!result) return null;
  return result.ok ? (
    <span role="status" className="mod-status">
      {result.message}
    </span>
  ) : (
    <span role="alert" className="field-error">
      {result.message}
    </span>
  );
}

/** A one-click action (unlock, unhide, restore, dismiss). */
export function QuickAction({
  intent,
  id,
  label,
  className = "secondary",
  action,
}: {
  intent: string;
  id: string;
  label: string;
  className?: string;
  action?: ModAction;
}) {
  const own = useModAction();
  const { fetcher, hidden, busy, result } = action ?? own;
  return (
    <fetcher.Form method="post" action={MOD_ACTIONS_PATH} className="mod-inline">
      {hidden}
      <input type="hidden" name="id" value={id} />
      <button type="submit" name="intent" value={intent} className={className} disabled={busy}>
        {label}
      </button>
      <ActionResult result={result} />
    </fetcher.Form>
  );
}

/**
 * An action that asks why before it runs (hide, delete, move): a disclosure
 * with a reason box, so it works with and without JavaScript.
 */
export function ReasonAction({
  intent,
  id,
  label,
  confirm,
  reasonRequired,
  danger,
  hint = "Kept in the audit log.",
  children,
  onOpen,
  action,
}: {
  intent: string;
  id: string;
  label: string;
  confirm: string;
  reasonRequired: boolean;
  danger?: boolean;
  hint?: string;
  children?: React.ReactNode;
  onOpen?: () => void;
  /** Shared with the undo button that replaces this form, so the outcome stays on screen. */
  action?: ModAction;
}) {
  const own = useModAction();
  const { fetcher, hidden, busy, result } = action ?? own;
  const details = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (result?.ok && details.current) details.current.open = false;
  }, [result]);
  const reasonError = result && !result.ok ? result.fields?.reason : undefined;
  return (
    <div className="mod-inline">
      <details ref={details} className="mod-action" onToggle={(e) => (e.currentTarget.open ? onOpen?.() : undefined)}>
        <summary>{label}</summary>
        <fetcher.Form method="post" action={MOD_ACTIONS_PATH} className="mod-panel">
          {hidden}
          <input type="hidden" name="id" value={id} />
          {children}
          <Field
            multiline
            label={`Reason${reasonRequired ? "" : " (optional)"}`}
            name="reason"
            rows={2}
            maxLength={500}
            required={reasonRequired}
            minLength={reasonRequired ? 3 : undefined}
            hint={reasonError ? undefined : hint}
            error={reasonError}
          />
          <button type="submit" name="intent" value={intent} className={danger ? "danger" : undefined} disabled={busy}>
            {busy ? "Working…" : confirm}
          </button>
          {result && !result.ok && !reasonError ? <ActionResult result={result} /> : null}
        </fetcher.Form>
      </details>
      {result?.ok ? <ActionResult result={result} /> : null}
    </div>
  );
}

/** Each moderation that a one-click undo reverses: what its button says, whether it asks why, and its undo. */
const REVERSIBLE = {
  "hide-post": {
    label: "Hide",
    confirm: "Hide post",
    reasonRequired: true,
    hint: "Hidden posts stay visible to moderators and the author. Kept in the audit log.",
    undo: { intent: "unhide-post", label: "Unhide" },
  },
  "delete-post": {
    label: "Delete",
    confirm: "Delete post",
    danger: true,
    reasonRequired: true,
    undo: { intent: "restore-post", label: "Restore" },
  },
  "lock-thread": {
    label: "Lock",
    confirm: "Lock thread",
    reasonRequired: false,
    hint: "A locked thread takes no new replies.",
    undo: { intent: "unlock-thread", label: "Unlock" },
  },
  "hide-thread": {
    label: "Hide",
    confirm: "Hide thread",
    reasonRequired: true,
    hint: "Hidden from everyone but moderators and the author, and from search. Kept in the audit log.",
    undo: { intent: "unhide-thread", label: "Unhide" },
  },
  "delete-thread": {
    label: "Delete",
    confirm: "Delete thread",
    danger: true,
    reasonRequired: true,
    undo: { intent: "restore-thread", label: "Restore" },
  },
} satisfies Record<string, Omit<Parameters<typeof ReasonAction>[0], "intent" | "id"> & { undo: { intent: string; label: string } }>;

/** While `active` (hidden, deleted, locked), the one-click undo; otherwise the action that asks why. */
function Reversible({
  intent,
  active,
  id,
  action,
  reasonRequired,
}: {
  intent: keyof typeof REVERSIBLE;
  active: boolean;
  id: string;
  action: ModAction;
  /** Overrides the action's own rule (an author deletes their own post without a reason). */
  reasonRequired?: boolean;
}) {
  const { undo, ...props } = REVERSIBLE[intent];
  return active ? (
    <QuickAction intent={undo.intent} id={id} label={undo.label} action={action} />
  ) : (
    <ReasonAction {...props} intent={intent} id={id} action={action} reasonRequired={reasonRequired ?? props.reasonRequired} />
  );
}

type PostInfo = { id: string; number: number; hidden: boolean; deleted: boolean };

/**
 * Per post: moderators hide/unhide and delete/restore replies (the question is
 * moderated with the thread's controls); authors may delete their own post.
 */
export function PostModerationControls({
  post,
  canModerate,
  isAuthor,
  canDeleteOwn = true,
}: {
  post: PostInfo;
  canModerate: boolean;
  isAuthor: boolean;
  /** false for a question others have answered: it stays for them. */
  canDeleteOwn?: boolean;
}) {
  const visibility = useModAction();
  const deletion = useModAction();
  if (canModerate && post.number > 0) {
    return (
      <span className="mod-controls" aria-label="Moderation">
        <Reversible intent="hide-post" active={post.hidden} id={post.id} action={visibility} />
        <Reversible intent="delete-post" active={post.deleted} id={post.id} action={deletion} reasonRequired={!isAuthor} />
      </span>
    );
  }
  if (isAuthor && post.deleted && deletion.result?.ok) return <ActionResult result={deletion.result} />;
  if (isAuthor && !post.deleted && canDeleteOwn) {
    return (
      <ReasonAction
        intent="delete-post"
        id={post.id}
        label="Delete"
        danger
        reasonRequired={false}
        action={deletion}
        confirm={post.number === 0 ? "Delete my question" : "Delete my post"}
        hint={post.number === 0 ? "Deletes the whole thread. Moderators can still see it." : "Moderators can still see deleted posts."}
      />
    );
  }
  return null;
}

type ThreadInfo = { id: string; locked: boolean; hidden: boolean; deleted: boolean; category: { slug: string } };

/** For moderators: lock, hide, move and delete a whole thread (with its question). */
export function ThreadModerationControls({ thread }: { thread: ThreadInfo }) {
  const lock = useModAction();
  const visibility = useModAction();
  const deletion = useModAction();
  return (
    <div className="mod-controls mod-thread" role="group" aria-label="Moderate this thread">
      <Reversible intent="lock-thread" active={thread.locked} id={thread.id} action={lock} />
      <Reversible intent="hide-thread" active={thread.hidden} id={thread.id} action={visibility} />
      <MoveAction thread={thread} />
      <Reversible intent="delete-thread" active={thread.deleted} id={thread.id} action={deletion} />
    </div>
  );
}

type CategoryOption = { slug: string; name: string };

function MoveAction({ thread }: { thread: ThreadInfo }) {
  const [categories, setCategories] = useState<CategoryOption[] | null>(null);
  const [failed, setFailed] = useState(false);
  const selectId = useId();
  // Loaded when the moderator opens the form; without JavaScript a slug can be typed.
  const load = () => {
    if (categories || failed) return;
    fetch("/api/v1/categories", { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then((list: CategoryOption[]) => setCategories(list))
      .catch(() => setFailed(true));
  };
  const others = categories?.filter((c) => c.slug !== thread.category.slug) ?? [];
  return (
    <ReasonAction intent="move-thread" id={thread.id} label="Move" confirm="Move thread" reasonRequired onOpen={load}>
      <label htmlFor={selectId}>New category</label>
      {categories ? (
        <select id={selectId} name="category" required defaultValue="">
          <option value="" disabled>
            Choose a category
          </option>
          {others.map((c) => (
            <option key={c.slug} value={c.slug}>
              {c.name}
            </option>
          ))}
        </select>
      ) : (
        <input id={selectId} name="category" required placeholder="category slug, e.g. community" />
      )}
    </ReasonAction>
  );
}
