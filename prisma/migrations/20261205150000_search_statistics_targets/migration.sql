-- ANALYZE of the search tables takes a sample of 300 rows per unit of statistics target: with the
-- default of 100, every thread's whole vector (10,000 threads, several kB each) and 30,000 posts.
-- On the embedded database that memory is never given back (a WebAssembly heap only grows), and it
-- was the 30-40 MB jump of the forum's peak (docs/decisions/021). The planner needs little here:
-- posts are read by thread, threads by the GIN index, and 10 keeps a hundred most common lexemes.
ALTER TABLE "SearchThread"
  ALTER COLUMN "generation" SET STATISTICS 10,
  ALTER COLUMN "id" SET STATISTICS 10,
  ALTER COLUMN "title" SET STATISTICS 10,
  ALTER COLUMN "categorySlug" SET STATISTICS 10,
  ALTER COLUMN "tags" SET STATISTICS 10,
  ALTER COLUMN "solved" SET STATISTICS 10,
  ALTER COLUMN "authors" SET STATISTICS 10,
  ALTER COLUMN "visibility" SET STATISTICS 10,
  ALTER COLUMN "createdAt" SET STATISTICS 10,
  ALTER COLUMN "lastPostAt" SET STATISTICS 10,
  ALTER COLUMN "tsv" SET STATISTICS 10,
  ALTER COLUMN "titleTsv" SET STATISTICS 10;

ALTER TABLE "SearchDocument"
  ALTER COLUMN "generation" SET STATISTICS 10,
  ALTER COLUMN "id" SET STATISTICS 10,
  ALTER COLUMN "threadId" SET STATISTICS 10,
  ALTER COLUMN "postNumber" SET STATISTICS 10,
  ALTER COLUMN "title" SET STATISTICS 10,
  ALTER COLUMN "body" SET STATISTICS 10,
  ALTER COLUMN "categorySlug" SET STATISTICS 10,
  ALTER COLUMN "categoryName" SET STATISTICS 10,
  ALTER COLUMN "tags" SET STATISTICS 10,
  ALTER COLUMN "solved" SET STATISTICS 10,
  ALTER COLUMN "isAccepted" SET STATISTICS 10,
  ALTER COLUMN "authorUsername" SET STATISTICS 10,
  ALTER COLUMN "visibility" SET STATISTICS 10,
  ALTER COLUMN "createdAt" SET STATISTICS 10,
  ALTER COLUMN "tsv" SET STATISTICS 10;
