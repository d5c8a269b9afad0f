// One tokenizer for indexing, querying and highlighting in the PostgreSQL
// engine, so a word is the same word everywhere: runs of letters and digits,
// lowercased, accents removed ("Café" → "cafe"), like Meilisearch does.
// (PostgreSQL's own parser is ~100× slower in WASM and splits differently.)

export type Token = { word: string; start: number; end: number };

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
/** Longer runs are hashes, keys or base64, not words anyone searches for. */
export const MAX_WORD_LENGTH = 64;

export function normalizeWord(raw: string): string {
  return raw
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(WORD)) {
    const word = normalizeWord(m[0]);
    if (!word || word.length > MAX_WORD_LENGTH) continue;
    tokens.push({ word, start: m.index, end: m.index + m[0].length });
  }
  return tokens;
}

/** PostgreSQL allows 16,383 positions and keeps 256 per word. */
const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_WORD = 256;

const quote = (word: string) => `'${word.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

/**
 * A tsvector literal for weighted fields, e.g. [[title, "A"], [body, "C"]].
 * Fields are separated by a gap so phrase-like proximity never spans two fields.
 */
export function tsvectorLiteral(fields: [text: string, weight: "A" | "B" | "C" | "D"][]): string {
  const positions = new Map<string, string[]>();
  let position = 0;
  for (const [text, weight] of fields) {
    for (const token of tokenize(text)) {
      position += 1;
      if (position > MAX_POSITION) break;
      const list = positions.get(token.word) ?? [];
      if (list.length < MAX_POSITIONS_PER_WORD) list.push(`${position}${weight}`);
      positions.set(token.word, list);
    }
    position += 10;
  }
  return [...positions].map(([word, list]) => `${quote(word)}:${list.join(",")}`).join(" ");
}
