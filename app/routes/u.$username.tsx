import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Avatar } from "~/components/avatar";
import { ThreadList, threadListLinks } from "~/components/thread-list";
import { Time } from "~/components/time";
import { getProfile } from "~/models/community/profile.server";
import { forPage } from "~/utils/page-errors.server";
import { seoMeta } from "~/utils/seo";
import { siteOrigin } from "~/utils/url.server";
import { plural } from "~/utils/text";

export const links = threadListLinks;

export const loader = ({ params }: LoaderFunctionArgs) =>
  forPage(async () => ({ profile: await getProfile(params.username ?? ""), origin: siteOrigin() }));

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  if (!data) return [{ title: "Member not found · Backline" }];
  const p = data.profile;
  return seoMeta({
    title: `${p.displayName ?? p.username} (@${p.username})`,
    description:
      p.bio ||
      `${p.username} has ${p.reputation} reputation, ${plural(p.counts.acceptedAnswers, "accepted answer")} and ${plural(p.counts.replies, "reply", "replies")} on Backline.`,
    url: `${data.origin}/u/${p.username}`,
    type: "profile",
  });
};

const joined = (d: string | Date) =>
  new Date(d).toLocaleDateString("en", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });

export default function ProfilePage() {
  const { profile: p } = useLoaderData<typeof loader>();
  const stats = [
    { label: "Reputation", value: p.reputation },
    { label: "Accepted answers", value: p.counts.acceptedAnswers },
    { label: "Helpful votes", value: p.counts.helpfulVotes },
    { label: "Threads", value: p.counts.threads },
    { label: "Replies", value: p.counts.replies },
  ];
  return (
    <div className="stack">
      <header className="profile-head">
        <h1 className="profile-name">
          <Avatar username={p.username} size={56} />
          {p.displayName ?? p.username}
          {p.displayName ? <span className="meta"> @{p.username}</span> : null}
        </h1>
        <p className="meta">
          {p.role !== "member" ? <span className="role-badge">{p.role}</span> : null}
          <span className="badge" title={`Trust level ${p.trustLevel}`}>
            {p.trustLabel}
          </span>
          <span>
            Joined <time dateTime={new Date(p.createdAt).toISOString()}>{joined(p.createdAt)}</time>
          </span>
        </p>
      </header>
      {p.bio ? <p className="bio">{p.bio}</p> : null}
      <ul className="stat-cards" aria-label="Activity in numbers">
        {stats.map((s) => (
          <li key={s.label}>
            <strong>{s.value}</strong>
            {` ${s.label}`}
          </li>
        ))}
      </ul>
      <section aria-labelledby="threads-title" className="stack">
        <h2 id="threads-title">Recent threads</h2>
        <ThreadList
          threads={p.recentThreads}
          label={`Recent threads by ${p.username}`}
          empty={`${p.username} has not asked anything yet.`}
        />
      </section>
      <section aria-labelledby="replies-title">
        <h2 id="replies-title">Recent replies</h2>
        {p.recentReplies.length === 0 ? (
          <p className="empty-list">{p.username} has not replied to anyone yet.</p>
        ) : (
          <ol className="activity-list" aria-label={`Recent replies by ${p.username}`}>
            {p.recentReplies.map((r) => (
              <li key={r.id}>
                <Link to={r.url}>{r.threadTitle}</Link> {r.accepted ? <span className="badge solved">✓ Accepted answer</span> : null}
                <p className="meta">
                  {`${r.score} helpful · `}
                  <Time value={r.createdAt} relative />
                </p>
                <p>{r.excerpt}</p>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
