import type { Facets, SearchFilters, SearchSort, Visibility } from "./engine";
import type { Group } from "./postgres-query";
import type { QueryWord } from "./query";

// What a query costs once and not again on each page (ADR 044): its typo
// expansions, its total, its facets and the ranked thread ids up to
// MAX_TOTAL_HITS. A page turn then fetches only its hits. Entries belong to
// one index state (live generation and write count, read in the same
// transaction as the search), so a write or a reindex makes them unreachable;
// private content stays apart because the visibility asked for is in the key.

export type CachedQuery = {
  /** Every query word with its typo variants: which post a hit shows, and what it highlights. */
  groups: Group[];
  total: number;
  facets: Facets;
  /** Thread ids in result order, at most MAX_TOTAL_HITS. */
  ids: string[];
};

/** The index state a result was read from. */
export type IndexState = { generation: number; writes: number };

// Bounded by ids held, not entries: a common word holds 1000 ids, a rare one a handful.
// About 60 bytes an id: some 6 MB at most.
const MAX_IDS = 100_000;
// Typo expansions depend on the words and the vocabulary only: shared by every filter and sort of the same words.
const MAX_EXPANSIONS = 2_000;

export class QueryCache {
  private readonly entries = new Map<string, CachedQuery>();
  private readonly expansions = new Map<string, Group[]>();
  private held = 0;
  private seen: IndexState | null = null;

  constructor(private readonly maxIds = MAX_IDS) {}

  key(index: IndexState, words: QueryWord[], filters: SearchFilters, visibility: Visibility[], sort: SearchSort): string {
    return JSON.stringify([
      index.generation,
      index.writes,
      words.map((w) => [w.word, w.prefix]),
      [filters.category?.toLowerCase(), filters.tags?.map((t) => t.toLowerCase()).sort(), filters.solved, filters.author?.toLowerCase()],
      [filters.from?.getTime(), filters.to?.getTime()],
      [...new Set(visibility)].sort(),
      sort,
    ]);
  }

  get(index: IndexState, key: string): CachedQuery | undefined {
    this.observe(index);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Most recently used last: the oldest go first when full.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(index: IndexState, key: string, entry: CachedQuery) {
    // A search that began before the last write seen: its entry could never be read again.
    if (!this.observe(index)) return;
    const weight = entry.ids.length + 1;
    if (weight > this.maxIds) return;
    const previous = this.entries.get(key);
    if (previous) this.held -= previous.ids.length + 1;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.held += weight;
    for (const [oldest, value] of this.entries) {
      if (this.held <= this.maxIds) break;
      this.entries.delete(oldest);
      this.held -= value.ids.length + 1;
    }
  }

  /** The words' typo expansions, computed once per index state. */
  async expansion(index: IndexState, words: QueryWord[], expand: () => Promise<Group[]>): Promise<Group[]> {
    this.observe(index);
    // The state is in the key: a lookup that began before a write may finish after it.
    const key = JSON.stringify([index.generation, index.writes, words.map((w) => [w.word, w.prefix])]);
    const known = this.expansions.get(key);
    if (known) return known;
    const groups = await expand();
    if (!this.observe(index)) return groups;
    if (this.expansions.size >= MAX_EXPANSIONS) this.expansions.delete(this.expansions.keys().next().value!);
    this.expansions.set(key, groups);
    return groups;
  }

  get size() {
    return this.entries.size;
  }

  /** The index state seen last: a page turn tries its cached query under it, checked in the statement that reads the hits. */
  get current(): IndexState | null {
    return this.seen;
  }

  /**
   * Moves to `index` unless it is older than the state seen last: false then. Both parts only grow (a rebuild takes
   * a new generation, every write adds one), so a state behind in both was read by a search that began before the
   * last write seen; following it back would empty the cache of the newer state. Entries of the state left behind
   * can never be read again (the state is in their key): they are freed.
   */
  private observe(index: IndexState): boolean {
    const seen = this.seen;
    if (seen && index.generation <= seen.generation && index.writes <= seen.writes) {
      return index.generation === seen.generation && index.writes === seen.writes;
    }
    this.seen = { generation: index.generation, writes: index.writes };
    this.entries.clear();
    this.expansions.clear();
    this.held = 0;
    return true;
  }
}
