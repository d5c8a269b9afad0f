import { Meilisearch, MeilisearchApiError } from "meilisearch";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeMeilisearch } from "../mocks/meilisearch";

// The fake refuses what a real Meilisearch refuses (each rule cites its page in
// test/mocks/meilisearch*.ts), so a test passing here means the adapter's
// requests would pass on the server too.

let fake: FakeMeilisearch;
let client: Meilisearch;
const wait = { timeout: 2000, interval: 2 };

beforeAll(async () => {
  fake = await new FakeMeilisearch().start();
  client = new Meilisearch({ host: fake.url, defaultWaitOptions: wait });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.indexes.clear();
  fake.version = "1.28.0";
});

const apiCode = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (error: unknown) => (error instanceof MeilisearchApiError ? error.cause?.code : String(error)),
  );

async function index(settings: Record<string, unknown>, docs: Record<string, unknown>[]) {
  const movies = client.index("movies");
  await movies.updateSettings(settings).waitTask();
  await movies.addDocuments(docs, { primaryKey: "id" }).waitTask();
  return movies;
}

describe("the fake Meilisearch is as strict as the server", () => {
  it("reports its version", async () => {
    fake.version = "1.18.3";
    expect((await client.getVersion()).pkgVersion).toBe("1.18.3");
  });

  it("refuses filters, facets and sorts on attributes not declared for them", async () => {
    const movies = await index({ filterableAttributes: ["genre"] }, [{ id: "1", genre: "Drama", year: 2000 }]);
    expect(await apiCode(movies.search("", { filter: "year > 1990" }))).toBe("invalid_search_filter");
    expect(await apiCode(movies.search("", { facets: ["year"] }))).toBe("invalid_search_facets");
    expect(await apiCode(movies.search("", { sort: ["year:desc"] }))).toBe("invalid_search_sort");
    // Equality on strings ignores case.
    expect((await movies.search("", { filter: 'genre = "drama"' })).hits).toHaveLength(1);
  });

  it("validates a settings body when it arrives", async () => {
    const movies = client.index("movies");
    expect(await apiCode(movies.updateSettings({ rankingRules: ["words", "popularity"] }))).toBe("invalid_settings_ranking_rules");
    expect(await apiCode(movies.updateSettings({ faceting: { sortFacetValuesBy: { "*": "size" as "count" } } }))).toBe(
      "invalid_settings_faceting",
    );
    expect(await apiCode(movies.updateSettings({ filterable: ["genre"] } as never))).toBe("bad_request");
    expect(fake.indexes.has("movies")).toBe(false);
  });

  it("applies a task when it is processed, not when it is queued", async () => {
    const movies = await index({}, []);
    const queued = movies.addDocuments([{ id: "2", title: "Queued" }], { primaryKey: "id" });
    await queued;
    expect(fake.documents("movies")).toEqual([]);
    await queued.waitTask();
    expect(fake.documents("movies")).toHaveLength(1);
  });

  it("answers the swap's rename flag by version", async () => {
    await index({}, []);
    await client.createIndex("movies_new").waitTask();
    fake.version = "1.17.0";
    expect(await apiCode(client.swapIndexes([{ indexes: ["movies", "movies_new"], rename: false }]))).toBe("bad_request");
    fake.version = "1.18.0";
    expect((await client.swapIndexes([{ indexes: ["movies", "movies_new"], rename: false }]).waitTask()).status).toBe("succeeded");
  });

  it("honours the matching strategy, facet order and limit, maxTotalHits and cropping", async () => {
    const docs = [
      { id: "a", genre: "a-drama", text: "dark knight rises" },
      { id: "b", genre: "z-action", text: "dark city" },
      { id: "c", genre: "z-action", text: "a very long story about one dark knight and many other words after it" },
    ];
    const movies = await index(
      { filterableAttributes: ["genre"], faceting: { maxValuesPerFacet: 1 }, pagination: { maxTotalHits: 2 } },
      docs,
    );
    expect((await movies.search("dark knight", { matchingStrategy: "all" })).hits.map((h) => h.id)).toEqual(["a", "c"]);
    const last = await movies.search("dark knight", { matchingStrategy: "last", page: 1, hitsPerPage: 10, facets: ["genre"] });
    expect(last.totalHits).toBe(2);
    expect(last.facetDistribution).toEqual({ genre: { "a-drama": 1 } });
    await movies.updateSettings({ faceting: { sortFacetValuesBy: { "*": "count" } }, pagination: { maxTotalHits: 10 } }).waitTask();
    expect((await movies.search("dark", { facets: ["genre"] })).facetDistribution).toEqual({ genre: { "z-action": 2 } });
    const [cropped] = (await movies.search("story", { attributesToCrop: ["text"], cropLength: 3 })).hits;
    expect(cropped!._formatted!.text).toBe("…long story about…");
  });
});
