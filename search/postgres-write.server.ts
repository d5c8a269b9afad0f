import type { ThreadDocuments } from "./engine";
import type { Sql } from "./postgres-query";
import { tokenize, tsvectorLiteral } from "./tokenize";

// Writing the PostgreSQL index: a thread's posts go to SearchDocument and the
// thread itself, with its weighted tsvector, to SearchThread; public words
// feed SearchTerm, the vocabulary typo variants are found in.

const WRITE_CHUNK = 500;

/** Makes generation `generation` hold exactly these threads' documents, in both tables. */
export async function writeThreads(sql: Sql, generation: number, threads: ThreadDocuments[]) {
  for (let i = 0; i < threads.length;) {
    // Chunks of about WRITE_CHUNK posts, never splitting a thread.
    const chunk: ThreadDocuments[] = [];
    let posts = 0;
    while (i < threads.length && (chunk.length === 0 || posts + threads[i]!.documents.length <= WRITE_CHUNK)) {
      posts += threads[i]!.documents.length;
      chunk.push(threads[i++]!);
    }
    await writeChunk(sql, generation, chunk);
  }
}

const cap = (text: string, max = 50_000) => (text.length > max ? text.slice(0, max) : text);

function threadRow(t: ThreadDocuments) {
  const docs = t.documents;
  const first = docs.reduce((a, b) => (b.postNumber < a.postNumber ? b : a));
  const question = docs.filter((d) => d.postNumber === first.postNumber).map((d) => d.body);
  const accepted = docs.filter((d) => d.isAccepted).map((d) => d.body);
  const others = docs.filter((d) => d.postNumber !== first.postNumber && !d.isAccepted).map((d) => d.body);
  return {
    id: t.threadId,
    title: first.title,
    categorySlug: first.categorySlug,
    tags: first.tags,
    solved: first.solved,
    authors: [...new Set(docs.map((d) => d.authorUsername))],
    // Every document of a thread has the same visibility (search/documents.server.ts).
    visibility: first.visibility,
    createdAt: Math.min(...docs.map((d) => d.createdAt)),
    lastPostAt: Math.max(...docs.map((d) => d.createdAt)),
    tsv: tsvectorLiteral([
      [first.title, "A"],
      [`${first.tags.join(" ")} ${cap(accepted.join("\n"))}`, "B"],
      [cap(question.join("\n")), "C"],
      [cap(others.join("\n")), "D"],
    ]),
    titleTsv: tsvectorLiteral([[first.title, "A"]]),
  };
}

async function writeChunk(sql: Sql, generation: number, threads: ThreadDocuments[]) {
  const documents = threads.flatMap((t) => t.documents);
  const kept = threads.filter((t) => t.documents.length);
  const vocabulary = new Set<string>();
  const posts = documents.map((d) => {
    if (d.visibility === "public") {
      for (const token of tokenize(`${d.title} ${d.body}`)) {
        // Words of private documents never become typo targets.
        if (token.word.length >= 3 && token.word.length <= 40 && !/\p{N}/u.test(token.word)) vocabulary.add(token.word);
      }
    }
    return {
      ...d,
      tsv: tsvectorLiteral([
        [d.title, "A"],
        [d.tags.join(" "), "B"],
        [d.body, "C"],
      ]),
    };
  });
  if (posts.length) {
    // A reply re-sends its whole thread: documents that did not change are not rewritten, so
    // their rows and full-text index entries stay as they were (docs/benchmarks.md, memory).
    await sql.$executeRawUnsafe(
      `insert into "SearchDocument" (generation, id, "threadId", "postNumber", title, body, "categorySlug", "categoryName",
         tags, solved, "isAccepted", "authorUsername", visibility, "createdAt", tsv)
       select $1, x.id, x."threadId", x."postNumber", x.title, x.body, x."categorySlug", x."categoryName",
         x.tags, x.solved, x."isAccepted", x."authorUsername", x.visibility,
         to_timestamp(x."createdAt" / 1000.0) at time zone 'UTC', x.tsv::tsvector
       from jsonb_to_recordset($2::jsonb) as x(id text, "threadId" text, "postNumber" int, title text, body text,
         "categorySlug" text, "categoryName" text, tags text[], solved boolean, "isAccepted" boolean,
         "authorUsername" text, visibility text, "createdAt" float8, tsv text)
       on conflict (generation, id) do update set
         "threadId" = excluded."threadId", "postNumber" = excluded."postNumber", title = excluded.title,
         body = excluded.body, "categorySlug" = excluded."categorySlug", "categoryName" = excluded."categoryName",
         tags = excluded.tags, solved = excluded.solved, "isAccepted" = excluded."isAccepted",
         "authorUsername" = excluded."authorUsername", visibility = excluded.visibility,
         "createdAt" = excluded."createdAt", tsv = excluded.tsv
       where ("SearchDocument"."threadId", "SearchDocument"."postNumber", "SearchDocument".title, "SearchDocument".body,
         "SearchDocument"."categorySlug", "SearchDocument"."categoryName", "SearchDocument".tags, "SearchDocument".solved,
         "SearchDocument"."isAccepted", "SearchDocument"."authorUsername", "SearchDocument".visibility,
         "SearchDocument"."createdAt", "SearchDocument".tsv)
         is distinct from (excluded."threadId", excluded."postNumber", excluded.title, excluded.body, excluded."categorySlug",
         excluded."categoryName", excluded.tags, excluded.solved, excluded."isAccepted", excluded."authorUsername",
         excluded.visibility, excluded."createdAt", excluded.tsv)`,
      generation,
      JSON.stringify(posts),
    );
  }
  if (kept.length) {
    await sql.$executeRawUnsafe(
      `insert into "SearchThread" (generation, id, title, "categorySlug", tags, solved, authors, visibility, "createdAt", "lastPostAt", tsv, "titleTsv")
       select $1, x.id, x.title, x."categorySlug", x.tags, x.solved, x.authors, x.visibility,
         to_timestamp(x."createdAt" / 1000.0) at time zone 'UTC', to_timestamp(x."lastPostAt" / 1000.0) at time zone 'UTC',
         x.tsv::tsvector, x."titleTsv"::tsvector
       from jsonb_to_recordset($2::jsonb) as x(id text, title text, "categorySlug" text, tags text[], solved boolean,
         authors text[], visibility text, "createdAt" float8, "lastPostAt" float8, tsv text, "titleTsv" text)
       on conflict (generation, id) do update set
         title = excluded.title, "categorySlug" = excluded."categorySlug", tags = excluded.tags, solved = excluded.solved,
         authors = excluded.authors, visibility = excluded.visibility, "createdAt" = excluded."createdAt",
         "lastPostAt" = excluded."lastPostAt", tsv = excluded.tsv, "titleTsv" = excluded."titleTsv"`,
      generation,
      JSON.stringify(kept.map(threadRow)),
    );
  }
  const ids = threads.map((t) => t.threadId);
  await sql.$executeRawUnsafe(
    `delete from "SearchDocument" where generation = $1 and "threadId" = any($2::text[]) and not (id = any($3::text[]))`,
    generation,
    ids,
    documents.map((d) => d.id),
  );
  await sql.$executeRawUnsafe(
    `delete from "SearchThread" where generation = $1 and id = any($2::text[])`,
    generation,
    threads.filter((t) => !t.documents.length).map((t) => t.threadId),
  );
  if (vocabulary.size) {
    await sql.$executeRawUnsafe(`insert into "SearchTerm" (word) select unnest($1::text[]) on conflict (word) do nothing`, [...vocabulary]);
  }
}

export async function rebuildVocabulary(sql: Sql, generation: number) {
  await sql.$executeRawUnsafe(`delete from "SearchTerm"`);
  // ts_stat takes its query as text; the generation is an integer we made.
  await sql.$executeRawUnsafe(
    `insert into "SearchTerm" (word)
     select word from ts_stat('select tsv from "SearchDocument" where visibility = ''public'' and generation = ${Math.trunc(generation)}')
     where char_length(word) between 3 and 40 and word !~ '[0-9]'
     on conflict (word) do nothing`,
  );
}
