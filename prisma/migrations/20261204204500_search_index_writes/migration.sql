-- The PostgreSQL search engine's query cache keys on this count (docs/decisions/044): every
-- write to the live index moves it in the same transaction as the write.
ALTER TABLE "SearchIndexState" ADD COLUMN "writes" INTEGER NOT NULL DEFAULT 0;
