import { useId, useState } from "react";
import { Field } from "./field";

const SHOWN = 8;

/** Splits "redis, cach" into the tags already written ("redis, ") and the one being typed ("cach"). */
function lastTag(value: string) {
  const cut = Math.max(value.lastIndexOf(","), value.lastIndexOf(" ")) + 1;
  return { before: value.slice(0, cut), typing: value.slice(cut).trim().toLowerCase() };
}

/**
 * The tags field with suggestions from tags in use (a <datalist>, so the browser shows them natively).
 * A datalist completes the whole value, so each suggestion is the text so far with the tag being typed
 * finished. Without JavaScript the list holds the tag names alone, which still completes the first tag.
 */
export function TagInput({ known, defaultValue, error }: { known: string[]; defaultValue?: string; error?: string }) {
  const listId = useId();
  const [value, setValue] = useState(defaultValue ?? "");
  const { before, typing } = lastTag(value);
  const chosen = new Set(before.toLowerCase().split(/[,\s]+/));
  const suggestions = known.filter((t) => !chosen.has(t) && t.startsWith(typing)).slice(0, typing ? SHOWN : known.length);
  return (
    <>
      <Field
        label="Tags"
        name="tags"
        value={value}
        onChange={(e) => setValue(e.currentTarget.value)}
        list={listId}
        autoComplete="off"
        hint="Up to 5, separated by commas, most important first: installation, webhooks"
        error={error}
      />
      <datalist id={listId}>
        {suggestions.map((t) => (
          <option key={t} value={`${before}${t}`} />
        ))}
      </datalist>
    </>
  );
}
