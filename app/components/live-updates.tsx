import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { plural } from "~/utils/text";

// Listens to a live stream (app/routes/live.*, docs/decisions/049) and reloads the page's data when it
// says something changed, so new replies or queue items appear in place, with the reader's own
// visibility, without a reload. The browser's EventSource reconnects on its own after a drop.

type Change = { added?: number };

export function LiveUpdates({ url, announce }: { url: string; announce: (change: Change) => string | null }) {
  const revalidator = useRevalidator();
  const [state, setState] = useState<"connecting" | "ready" | "closed">("connecting");
  const [message, setMessage] = useState("");
  // A change that arrives while a reload is running reloads again once it is done.
  const again = useRef(false);
  const announceRef = useRef(announce);
  announceRef.current = announce;
  const revalidatorRef = useRef(revalidator);
  revalidatorRef.current = revalidator;

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource(url);
    source.addEventListener("ready", () => setState("ready"));
    source.addEventListener("change", (e) => {
      const change = JSON.parse((e as MessageEvent<string>).data) as Change;
      const words = announceRef.current(change);
      if (words) setMessage(words);
      if (revalidatorRef.current.state === "idle") revalidatorRef.current.revalidate();
      else again.current = true;
    });
    source.addEventListener("error", () => setState(source.readyState === EventSource.CLOSED ? "closed" : "connecting"));
    return () => source.close();
  }, [url]);

  useEffect(() => {
    if (revalidator.state === "idle" && again.current) {
      again.current = false;
      revalidator.revalidate();
    }
  }, [revalidator]);

  return (
    <p className="visually-hidden" role="status" aria-live="polite" data-live={state}>
      {message}
    </p>
  );
}

/** "1 new reply", "3 new replies": what a screen reader says when replies arrive. */
export const newRepliesMessage = ({ added }: Change) => (added ? plural(added, "new reply", "new replies") : null);
