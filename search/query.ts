import { stripMarkers } from "./highlight";
import { MAX_QUERY_CHARS, MAX_QUERY_WORDS, STOP_WORD_SET, TYPO_MIN_WORD_SIZE } from "./settings";
import { tokenize } from "./tokenize";

/**
 * What is left of a user's query once it is safe to work with: no control or
 * marker characters, single spaces, at most MAX_QUERY_CHARS (cut at a space).
 * Everything else (quotes, operators, SQL, filter syntax) is just text.
 */
export function normalizeQuery(raw: unknown): string {
  if (typeof raw !== "string") return "";
  let q = stripMarkers(raw)
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (q.length > MAX_QUERY_CHARS) {
    q = q.slice(0, MAX_QUERY_CHARS);
    const space = q.lastIndexOf(" ");
    if (space > MAX_QUERY_CHARS / 2) q = q.slice(0, space);
    // Never end on half of a surrogate pair.
    q = q.replace(/[\ud800-\udbff]$/, "");
  }
  return q;
}

/**
 * Whether a query has anything to search for: words that are not stop words.
 * "how to" alone would match every thread, so it matches none, in every engine.
 */
export const hasMeaningfulWords = (q: string) => tokenize(q).some((t) => !STOP_WORD_SET.has(t.word));

/** Whether the query ends inside a word, so its last word may be a prefix of what is meant. */
export const endsInsideWord = (q: string) => /[\p{L}\p{N}]$/u.test(q);

export type QueryWord = { word: string; prefix: boolean };

/**
 * The words a query searches for, as the index cut them, in the order typed;
 * the last may be a prefix. Both engines drop words from the end of this list.
 */
export function queryWords(q: string): QueryWord[] {
  const tokens = tokenize(q);
  const words = [...new Set(tokens.map((t) => t.word))].filter((w) => !STOP_WORD_SET.has(w)).slice(0, MAX_QUERY_WORDS);
  const last = tokens.at(-1)?.word;
  const prefixLast = endsInsideWord(q) && last === words.at(-1);
  return words.map((word, i) => ({ word, prefix: prefixLast && i === words.length - 1 && word.length >= 2 }));
}

/** Typos tolerated for a query word: by its length in letters; none in words with digits. */
export function allowedTypos(word: string): 0 | 1 | 2 {
  if (/\p{N}/u.test(word)) return 0;
  const length = [...word].length;
  if (length >= TYPO_MIN_WORD_SIZE.twoTypos) return 2;
  if (length >= TYPO_MIN_WORD_SIZE.oneTypo) return 1;
  return 0;
}

/**
 * Typos between a query word and an indexed word as Meilisearch counts them:
 * one on the first letter counts as two (ADR 039).
 */
export function typoCount(query: string, word: string, max: number): number {
  const firstDiffers = query.codePointAt(0) !== word.codePointAt(0);
  return Math.min(typoDistance(query, word, max) + (firstDiffers ? 1 : 0), max + 1);
}

/**
 * Edit distance counting an insertion, deletion, substitution or swap of two
 * neighbouring letters as one typo ("paymnet" is one typo from "payment"), as
 * Meilisearch does. Returns max + 1 as soon as the distance exceeds max.
 */
export function typoDistance(a: string, b: string, max: number): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return Math.min(prev[t.length]!, max + 1);
}
