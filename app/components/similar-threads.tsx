import type { SimilarThreadResult } from "~/models/community/search.server";
import type { LinksFunction } from "@remix-run/node";
import { useFetcher } from "@remix-run/react";
import { useEffect, useId, useState } from "react";
import styles from "~/styles/similar-threads.css";
import { plural } from "~/utils/text";

// While a member writes a question (or before paying for an escalation), the
// closest existing threads, solved ones first. Every answer found here is a
// ticket nobody has to pay for (docs/product.md §3).

/** Routes that render <SimilarThreads> add these to their `links`. */
export const similarThreadsLinks: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export type SimilarThread = SimilarThreadResult;

const DEBOUNCE_MS = 350;

export function SimilarThreads({
  title,
  excludeThreadId,
  heading = "Existing threads that may answer this",
  minChars = 8,
}: {
  title: string;
  excludeThreadId?: string;
  heading?: string;
  /** Shorter drafts are not worth a lookup. */
  minChars?: number;
}) {
  const fetcher = useFetcher<SimilarThread[]>();
  const headingId = useId();
  const [query, setQuery] = useState("");

  useEffect(() => {
    const draft = title.trim().replace(/\s+/g, " ");
    const timer = setTimeout(() => setQuery(draft.length >= minChars ? draft : ""), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [title, minChars]);

  const { load } = fetcher;
  useEffect(() => {
    if (!query) return;
    const params = new URLSearchParams({ title: query });
    if (excludeThreadId) params.set("excludeThreadId", excludeThreadId);
    load(`/api/v1/similar?${params}`);
  }, [query, excludeThreadId, load]);

  // A failed lookup (503, offline) simply shows nothing: suggestions are a help, not a step.
  const threads = query && Array.isArray(fetcher.data) ? fetcher.data : [];

  return (
    <div aria-live="polite">
      {threads.length ? (
        <section className="similar-threads" aria-labelledby={headingId}>
          <h2 id={headingId}>{heading}</h2>
          <ol>
            {threads.map((t) => (
              <li key={t.threadId}>
                {/* A new tab keeps the draft. */}
                <a href={t.url} target="_blank" rel="noopener">
                  {t.title}
                </a>{" "}
                {t.solved ? <span className="badge solved">✓ Solved</span> : null}{" "}
                <span className="meta">
                  {t.category.name} · {plural(t.replyCount, "reply", "replies")}
                </span>
                {t.acceptedAnswer ? (
                  <p className="answer">
                    <strong>Accepted answer</strong> by {t.acceptedAnswer.author}: {t.acceptedAnswer.excerpt}
                  </p>
                ) : null}
              </li>
            ))}
          </ol>
          <p className="hint">Opens in a new tab, so your draft stays here.</p>
        </section>
      ) : null}
    </div>
  );
}
