import type { PostView, ThreadView } from "~/models/community/thread.server";

// What the API shows of a post: never the author's id or e-mail.
export const presentPost = (p: PostView) => ({
  id: p.id,
  number: p.number,
  author: p.author.username,
  body: p.body,
  bodyHtml: p.bodyHtml,
  score: p.score,
  createdAt: p.createdAt,
  editedAt: p.editedAt,
  hidden: p.hidden,
  deleted: p.deletedAt !== null,
});

export function presentThread(t: ThreadView) {
  const { posts, acceptedPost, categoryId: _c, authorId: _a, capabilities: _m, hidden: _h, deleted: _d, ...rest } = t;
  return {
    ...rest,
    posts: posts.map(presentPost),
    acceptedPost: acceptedPost ? presentPost(acceptedPost) : null,
  };
}
