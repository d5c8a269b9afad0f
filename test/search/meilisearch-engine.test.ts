import { randomBytes } from "node:crypto";
import { Meilisearch } from "meilisearch";
import { describe, it } from "vitest";
import { MeilisearchEngine } from "#search/meilisearch.server";
import { searchEngineContract } from "./contract";
import { relevanceSuite } from "./relevance";

// The same contract and relevance suites as the embedded engine, against a
// real Meilisearch: MEILI_HOST=http://127.0.0.1:7700 MEILI_API_KEY=… npx vitest run test/search
const host = process.env.MEILI_HOST;
const apiKey = process.env.MEILI_API_KEY;

function harness() {
  const prefix = `contract_${randomBytes(4).toString("hex")}`;
  const engine = new MeilisearchEngine({ host: host!, apiKey, indexPrefix: prefix });
  return {
    engine,
    cleanup: async () => {
      const client = new Meilisearch({ host: host!, apiKey });
      for (const uid of [`${prefix}_posts`, `${prefix}_posts_reindex`]) await client.deleteIndex(uid).waitTask();
    },
  };
}

if (host) {
  searchEngineContract(`Meilisearch at ${host}`, async () => harness());
  relevanceSuite(`Meilisearch at ${host}`, async () => harness());
} else {
  console.info("Meilisearch contract and relevance suites skipped: MEILI_HOST is not set.");
  describe("Meilisearch engine contract", () => {
    it.skip("skipped: MEILI_HOST is not set (start Meilisearch and set MEILI_HOST, and MEILI_API_KEY if it has one, to run the contract against it)", () => {});
  });
}
