import { Link } from "@remix-run/react";
import { postUrl } from "~/utils/urls";

/**
 * The short pointer under the question to the accepted answer, which is shown once, in its place among
 * the replies (as Stack Overflow and Discourse's Solved do): a second full copy only doubled the page.
 * A link, not an anchor alone, since the answer may sit on another page of replies.
 */
export function AcceptedAnswerPointer({
  thread,
  answer,
}: {
  thread: { id: string; slug: string };
  answer: { number: number; author: { username: string } };
}) {
  return (
    <p className="notice accepted-pointer">
      <span className="badge solved">✓ Solved</span>{" "}
      <Link to={postUrl(thread, answer.number)}>See the accepted answer by {answer.author.username}</Link>
    </p>
  );
}
