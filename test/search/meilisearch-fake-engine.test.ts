import { MeilisearchEngine } from "#search/meilisearch.server";
import { FakeMeilisearch } from "../mocks/meilisearch";
import { searchEngineContract } from "./contract";

// The contract against the local fake: what the adapter sends and how it reads
// the answers, with a server as strict as Meilisearch's documentation (its
// ranking and typo tolerance come from a real server, meilisearch-engine.test.ts).
searchEngineContract("Meilisearch adapter on the local fake", async () => {
  const fake = await new FakeMeilisearch().start();
  return { engine: new MeilisearchEngine({ host: fake.url, indexPrefix: "contract", taskPollMs: 2 }), cleanup: () => fake.stop() };
});
