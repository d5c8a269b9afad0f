import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Field, FormError } from "~/components/field";
import { GateAnswers, ThreadSnapshot } from "~/components/support/ticket-snapshot-view";
import { TimeBadge } from "~/components/time-badge";
import { Time } from "~/components/time";
import {
  acceptTicket,
  getTicket,
  postMessage,
  rejectTicket,
  requestInfo,
  resolveTicket,
  retryPayment,
} from "~/models/tickets/ticket.server";
import { requireUser } from "~/services/auth.server";
import { badRequest } from "~/utils/errors";
import { requestTicketRefund } from "~/models/tickets/refund.server";
import { TicketRefunds } from "~/components/support/ticket-refunds";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { formatPrice } from "~/utils/money";
import { MacroPicker } from "~/components/desk/macro-picker";
import { macrosForTicket } from "~/models/desk/macro.server";
import { acceptPublishedAnswer, consentAndPublish, publishBackView, savePublishDraft } from "~/models/tickets/publish-back.server";
import { forPage } from "~/utils/page-errors.server";
import { withdrawTicket } from "~/models/tickets/withdraw.server";
import { clockLevel } from "~/models/tickets/sla";
import { MoneyTrail } from "~/components/support/money-trail";
import { WithdrawForm } from "~/components/support/withdraw-form";

// A paid ticket: its owner and the maintainers only; everyone else gets 404.

export const meta: MetaFunction = () => [{ title: "Paid support ticket · Backline" }, { name: "robots", content: "noindex" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return forPage(async () => {
    const ticket = await getTicket(user, params.id!);
    const [macros, publish] = await Promise.all([macrosForTicket(user, ticket), publishBackView(user, ticket.id)]);
    return { ticket, macros, publish };
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = Object.fromEntries(await readForm(request));
  const id = params.id!;
  return attempt(async () => {
    switch (form.intent) {
      case "reply":
        await postMessage(user, id, { body: form.body, internal: false });
        break;
      case "note":
        await postMessage(user, id, { body: form.body, internal: true });
        break;
      case "accept":
        await acceptTicket(user, id, { message: form.message });
        break;
      case "reject":
        await rejectTicket(user, id, { reason: form.reason, message: form.message });
        break;
      case "request-info":
        await requestInfo(user, id, { message: form.message });
        break;
      case "resolve":
        await resolveTicket(user, id, { message: form.message });
        break;
      case "publish-draft":
        await savePublishDraft(user, id, { body: form.body });
        break;
      case "publish-consent":
        await consentAndPublish(user, id, { draftHash: form.draftHash });
        break;
      case "accept-published":
        await acceptPublishedAnswer(user, id);
        break;
      case "withdraw":
        await withdrawTicket(user, id, { reason: form.reason });
        break;
      case "retry-payment":
        await retryPayment(user, id);
        break;
      case "refund":
        await requestTicketRefund(user, id, { amountCents: form.amountCents, reason: form.reason });
        break;
      default:
        throw badRequest("Unknown action.");
    }
    return { ok: true as const, intent: String(form.intent) };
  });
}

const REASONS = [
  ["careless", "Careless: the request lacks what is needed"],
  ["out_of_scope", "Out of scope"],
  ["duplicate", "Duplicate"],
] as const;

type Result = FormFailure | { ok: true; intent: string } | undefined;

/** One small form per decision; it clears after its own success. Errors show above the forms. */
function DecisionForm({ intent, label, result, children, danger }: {
  intent: string; label: string; result: Result; children?: React.ReactNode; danger?: boolean;
}) {
  const busy = useNavigation().formData?.get("intent") === intent;
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result?.ok && result.intent === intent) ref.current?.reset();
  }, [result, intent]);
  return (
    <Form method="post" ref={ref} className="card" replace preventScrollReset>
      <input type="hidden" name="intent" value={intent} />
      {children}
      <button type="submit" className={danger ? "danger" : undefined} disabled={busy}>{label}</button>
    </Form>
  );
}

export default function TicketPage() {
  const { ticket: t, macros, publish } = useLoaderData<typeof loader>();
  const result = useActionData<Result>();
  const failure = result && !result.ok ? result : undefined;
  // Accept and reject stay possible while the member answers a question asked before accepting.
  const undecided = t.state === "awaiting_acceptance" || (t.state === "waiting_on_customer" && !t.acceptedAt);
  const working = !undecided && (t.state === "open" || t.state === "waiting_on_customer");
  return (
    <div className="stack">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/tickets">{t.viewer.canDecide ? "Paid support queue" : "Your tickets"}</Link>
      </nav>
      <header>
        <h1>{t.title}</h1>
        <p className="meta">
          <span className="badge" data-state={t.state}>{t.stateLabel}</span>
          <span>{t.tier.name}</span>
          <TimeBadge level={clockLevel(t.clock)} text={t.clock.text} />
          <span>by {t.viewer.isOwner ? "you" : t.owner}</span>
          <span>paid <Time value={t.paidAt} /></span>
        </p>
        {t.clock.timeLeftMs === null || t.clock.paused ? null : (
          <p className="hint">First response promised by <Time value={t.deadlineAt} />.</p>
        )}
      </header>

      {t.payment ? (
        <section aria-labelledby="payment-title" className="card">
          <h2 id="payment-title">Payment</h2>
          <p>{formatPrice(t.payment.amountCents, t.payment.currency)}: {t.payment.summary}</p>
          {t.viewer.canDecide ? (
            <p className="meta">
              <span>Status: {t.payment.status}</span>
              {t.payment.lastError ? <span className="field-error" role="alert">Last error: {t.payment.lastError} (retrying automatically)</span> : null}
            </p>
          ) : null}
          {t.viewer.canDecide ? <TicketRefunds payment={t.payment} errors={failure?.fields} /> : null}
          {t.viewer.canDecide && (t.payment.status === "capture_failed" || t.payment.status === "cancel_failed") ? (
            <Form method="post">
              <input type="hidden" name="intent" value="retry-payment" />
              <button type="submit">Retry now</button>
            </Form>
          ) : null}
        </section>
      ) : null}

      {t.state === "rejected" ? (
        <p className="notice" role="status">
          Declined{t.rejectReason ? ` (${t.rejectReason.replace(/_/g, " ")})` : ""}: {t.rejectMessage}. The authorisation was released; no charge.
        </p>
      ) : null}
      {t.state === "withdrawn" ? (
        <p className="notice" role="status">
          Withdrawn by {t.viewer.isOwner ? "you" : t.owner}{t.withdrawReason ? `: ${t.withdrawReason}` : ""}. The authorisation was released; no charge.
        </p>
      ) : null}
      {t.viewer.canWithdraw ? <WithdrawForm /> : null}
      {t.moneyTrail ? <MoneyTrail entries={t.moneyTrail} /> : null}
      {t.state === "expired" ? (
        <p className="notice" role="status">The response promise was missed, so the authorisation was released: no charge.</p>
      ) : null}

      <FormError message={failure?.message} />
      {failure?.fields ? (
        <ul className="field-error" role="alert">
          {Object.entries(failure.fields).map(([k, v]) => <li key={k}>{v}</li>)}
        </ul>
      ) : null}

      {t.viewer.canDecide && (undecided || working) ? (
        <section aria-labelledby="decide-title" className="stack">
          <h2 id="decide-title">Decide</h2>
          {undecided ? (
            <>
              <DecisionForm intent="accept" label="Accept and capture the payment" result={result}>
                <Field multiline label="Message to the member (optional)" name="message" rows={2} />
              </DecisionForm>
              <DecisionForm intent="reject" label="Reject and release the authorisation" result={result} danger>
                <div className="field">
                  <label htmlFor="reject-reason">Reason</label>
                  <select id="reject-reason" name="reason" defaultValue="">
                    <option value="" disabled>Choose a reason</option>
                    {REASONS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
                  </select>
                </div>
                <Field multiline label="Explanation for the member" name="message" rows={3} required minLength={10} />
              </DecisionForm>
            </>
          ) : null}
          {t.viewer.canRequestInfo ? (
            <DecisionForm intent="request-info" label={undecided ? "Ask for information before deciding (pauses the clock)" : "Ask for information (pauses the clock)"} result={result}>
              <Field multiline label="What do you need from the member?" name="message" rows={3} required minLength={10} />
            </DecisionForm>
          ) : null}
          {working ? (
            <DecisionForm intent="resolve" label="Resolve" result={result}>
              <Field multiline label="Closing message (optional)" name="message" rows={2} />
            </DecisionForm>
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby="gate-title" className="card">
        <h2 id="gate-title">The request</h2>
        <GateAnswers gate={t.snapshot.gate} />
      </section>

      <section aria-labelledby="conversation-title" className="stack">
        <h2 id="conversation-title">Conversation</h2>
        {t.messages.length === 0 ? <p className="hint">No messages yet.</p> : null}
        <ol className="post-list" aria-label="Messages">
          {t.messages.map((m) => (
            <li key={m.id}>
              <article className="card post" style={m.internal ? { borderStyle: "dashed", borderColor: "var(--warn)" } : undefined}
                aria-label={`${m.internal ? "Internal note" : "Message"} by ${m.author}`}>
                <p className="post-meta">
                  <span className="author">{m.author}</span>
                  {!m.fromOwner ? <span className="role-badge">maintainer</span> : null}
                  {m.internal ? <span className="badge warn">Internal note: maintainers only</span> : null}
                  <Time value={m.createdAt} />
                </p>
                {/* Rendered and sanitized on write. */}
                <div className="prose" dangerouslySetInnerHTML={{ __html: m.bodyHtml }} />
              </article>
            </li>
          ))}
        </ol>
        {t.viewer.canReply ? (
          <DecisionForm intent="reply" label={t.viewer.isOwner ? "Send reply" : "Reply to the member"} result={result}>
            {!t.viewer.isOwner ? <MacroPicker macros={macros} target="reply" /> : null}
            <Field multiline label={t.viewer.isOwner ? "Your reply" : "Reply to the member"} name="body" rows={5} required data-macro-target="reply"
              hint={t.state === "waiting_on_customer" && t.viewer.isOwner ? "Your reply restarts the response clock." : "Markdown works here."} />
          </DecisionForm>
        ) : null}
        {t.viewer.canNote ? (
          <DecisionForm intent="note" label="Add internal note" result={result}>
            <Field multiline label="Internal note (maintainers only)" name="body" rows={3} required />
          </DecisionForm>
        ) : null}
      </section>

      {publish.available ? <PublishBack publish={publish} result={result} /> : null}

      {/* Open for the member; folded for the desk, who reads it when needed. */}
      <details className="card" open={!t.viewer.canDecide}>
        <summary>Thread snapshot at payment time ({t.snapshot.posts.length} posts)</summary>
        <ThreadSnapshot snapshot={t.snapshot} />
      </details>
    </div>
  );
}

type Publish = {
  draft: string | null; draftHash: string | null; consentAt: string | Date | null; postUrl: string | null;
  accepted: boolean; canDraft: boolean; canConsent: boolean; canAccept: boolean;
};

/** Publish back (PRODUCT §4.9): the maintainer drafts, the owner agrees, and only then is it public. */
function PublishBack({ publish: p, result }: { publish: Publish; result: Result }) {
  return (
    <section aria-labelledby="publish-title" className="card stack">
      <h2 id="publish-title">Public answer</h2>
      {p.postUrl ? (
        <p className="notice" role="status">
          Published to the thread with the member's consent. <Link to={p.postUrl}>Read it in the thread</Link>
          {p.accepted ? " (accepted as the answer)." : "."}
        </p>
      ) : p.draft ? (
        <>
          <p>{p.canConsent ? "The maintainer proposes to post this redacted answer to the public thread. Nothing is published unless you agree:" : "Draft, waiting for the member's consent:"}</p>
          <blockquote className="prose" style={{ whiteSpace: "pre-wrap" }} aria-label="Draft of the public answer">{p.draft}</blockquote>
        </>
      ) : (
        <p className="hint">{p.canDraft ? "Optionally, draft a redacted answer for the public thread; the member decides whether it is posted." : "No public answer has been proposed."}</p>
      )}
      {p.canConsent && p.draftHash ? (
        <Form method="post" replace preventScrollReset>
          <input type="hidden" name="intent" value="publish-consent" />
          <input type="hidden" name="draftHash" value={p.draftHash} />
          <button type="submit">Agree and publish to the thread</button>
        </Form>
      ) : null}
      {p.canAccept ? (
        <Form method="post" replace preventScrollReset>
          <input type="hidden" name="intent" value="accept-published" />
          <button type="submit" className="secondary">Accept it as the answer</button>
        </Form>
      ) : null}
      {p.canDraft ? (
        <DecisionForm intent="publish-draft" label={p.draft ? "Update the draft" : "Propose for publishing"} result={result}>
          <Field multiline label="Public answer (redacted: no private details)" name="body" rows={6} required minLength={20}
            defaultValue={p.draft ?? ""} hint="Markdown. Posted under your name once the member agrees." />
        </DecisionForm>
      ) : null}
    </section>
  );
}
