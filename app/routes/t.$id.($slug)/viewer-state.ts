import type { ViewerPayload } from "~/utils/viewer-payload";

type Post = { id: string; votedByViewer: boolean };
type PageData = {
  thread: { posts: Post[]; acceptedPost: Post | null; capabilities: ViewerPayload["thread"]["capabilities"] };
  viewer: ViewerPayload["thread"]["viewer"] | null;
  support: ViewerPayload["thread"]["support"];
  replyToken: string | null;
};

/** The shared thread page's data as the member's own: what the full render would have loaded for them. */
export function withViewerState<D extends PageData>(data: D, own: ViewerPayload["thread"] | null): D {
  if (!own) return data;
  const voted = new Set(own.votedPostIds);
  const mark = <P extends Post>(p: P): P => ({ ...p, votedByViewer: voted.has(p.id) });
  const { thread } = data;
  return {
    ...data,
    viewer: own.viewer,
    support: own.support,
    replyToken: own.replyToken,
    thread: {
      ...thread,
      capabilities: own.capabilities,
      posts: thread.posts.map(mark),
      acceptedPost: thread.acceptedPost ? mark(thread.acceptedPost) : null,
    },
  };
}
