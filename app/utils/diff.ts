import { diffLines } from "diff";

export type DiffLine = { op: "+" | "-" | "="; text: string };

/** A line-by-line diff for the revision history, from jsdiff. */
export function lineDiff(before: string, after: string): DiffLine[] {
  return diffLines(before, after).flatMap((part) =>
    part.value
      .replace(/\n$/, "")
      .split("\n")
      .map((text) => ({ op: part.added ? ("+" as const) : part.removed ? ("-" as const) : ("=" as const), text })),
  );
}
