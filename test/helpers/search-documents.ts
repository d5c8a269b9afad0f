import type { SearchDocument, ThreadDocuments, Visibility } from "#search/engine";
import type { Corpus } from "../fixtures/forum-corpus";

type ThreadSpec = {
  id: string;
  title: string;
  category?: string;
  tags?: string[];
  visibility?: Visibility;
  /** Index of the accepted post, if any. */
  accepted?: number;
  posts: { body: string; author?: string; createdAt?: string }[];
};

/** The documents of one thread as the worker would build them. */
export function thread(spec: ThreadSpec): ThreadDocuments {
  const category = spec.category ?? "pro";
  return {
    threadId: spec.id,
    documents: spec.posts.map((p, number): SearchDocument => ({
      id: `${spec.id}-p${number}`,
      threadId: spec.id,
      postId: `${spec.id}-p${number}`,
      postNumber: number,
      title: spec.title,
      body: p.body,
      categorySlug: category,
      categoryName: category === "pro" ? "Backline Pro" : "Community Edition",
      tags: spec.tags ?? [],
      solved: spec.accepted !== undefined,
      isAccepted: spec.accepted === number,
      authorUsername: p.author ?? "ada",
      createdAt: new Date(p.createdAt ?? "2025-06-01T12:00:00Z").getTime() + number * 60_000,
      visibility: spec.visibility ?? "public",
    })),
  };
}

export function corpusDocuments(corpus: Corpus): ThreadDocuments[] {
  return corpus.threads.map((t) => ({
    threadId: t.id,
    documents: t.posts.map((p) => ({
      id: p.id,
      threadId: t.id,
      postId: p.id,
      postNumber: p.number,
      title: t.title,
      body: p.body,
      categorySlug: t.category,
      categoryName: t.category === "pro" ? "Backline Pro" : "Community Edition",
      tags: t.tags,
      solved: t.acceptedPostId !== null,
      isAccepted: p.id === t.acceptedPostId,
      authorUsername: p.author,
      createdAt: p.createdAt.getTime(),
      visibility: "public",
    })),
  }));
}

export const threadIds = (hits: { threadId: string }[]) => hits.map((h) => h.threadId);
