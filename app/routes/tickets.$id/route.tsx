import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormError } from "~/components/field";
import { Time } from "~/components/time";
import { TimeBadge } from "~/components/time-badge";
import { macrosForTicket } from "~/models/desk/macro.server";
import {
  acceptPublishedAnswer,
  consentAndPublish,
  declinePublish,
  publishBackView,
  savePublishDraft,
} from "~/models/tickets/publish-back.server";
import { requestTicketRefund } from "~/models/tickets/refund.server";
import { clockLevel } from "~/models/tickets/sla";
import {
  acceptTicket,
  getTicket,
  postMessage,
  rejectTicket,
  requestInfo,
  resolveTicket,
  retryPayment,
} from "~/models/tickets/ticket.server";
import { withdrawTicket } from "~/models/tickets/withdraw.server";
import { requireUser } from "~/services/auth.server";
import { badRequest } from "~/utils/errors";
import { attempt, readForm } from "~/utils/form-action.server";
import { forPage } from "~/utils/page-errors.server";
import { Conversation } from "./conversation";
import { DecideSection } from "./decide";
import { MoneyTrail } from "./money-trail";
import { PaymentSection } from "./payment";
import { PublishBack } from "./publish-back";
import { GateAnswers, ThreadSnapshot } from "./ticket-snapshot-view";
import type { Result } from "./types";
import { WithdrawForm } from "./withdraw-form";

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

type User = Awaited<ReturnType<typeof requireUser>>;
type Fields = Record<string, FormDataEntryValue>;

// What each of the page's forms does, by its intent; the models decide who may.
const INTENTS: Record<string, (user: User, id: string, form: Fields) => Promise<unknown>> = {
  reply: (user, id, form) => postMessage(user, id, { body: form.body, internal: false }),
  note: (user, id, form) => postMessage(user, id, { body: form.body, internal: true }),
  accept: (user, id, form) => acceptTicket(user, id, { message: form.message }),
  reject: (user, id, form) => rejectTicket(user, id, { reason: form.reason, message: form.message }),
  "request-info": (user, id, form) => requestInfo(user, id, { message: form.message }),
  resolve: (user, id, form) => resolveTicket(user, id, { message: form.message }),
  "publish-draft": (user, id, form) => savePublishDraft(user, id, { body: form.body }),
  "publish-consent": (user, id, form) => consentAndPublish(user, id, { draftHash: form.draftHash }),
  "publish-decline": (user, id, form) => declinePublish(user, id, { draftHash: form.draftHash }),
  "accept-published": (user, id) => acceptPublishedAnswer(user, id),
  withdraw: (user, id, form) => withdrawTicket(user, id, { reason: form.reason }),
  "retry-payment": (user, id) => retryPayment(user, id),
  refund: (user, id, form) => requestTicketRefund(user, id, { amountCents: form.amountCents, reason: form.reason }),
};

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = Object.fromEntries(await readForm(request));
  const id = params.id!;
  return attempt(async () => {
    const intent = String(form.intent);
    if (!Object.hasOwn(INTENTS, intent)) throw badRequest("Unknown action.");
    await INTENTS[intent]!(user, id, form);
    return { ok: true as const, intent };
  });
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
          <span className="badge" data-state={t.state}>
            {t.stateLabel}
          </span>
          <span>{t.tier.name}</span>
          <TimeBadge level={clockLevel(t.clock)} text={t.clock.text} />
          <span>by {t.viewer.isOwner ? "you" : t.owner}</span>
          <span>
            paid <Time value={t.paidAt} />
          </span>
        </p>
        {t.clock.timeLeftMs === null || t.clock.paused ? null : (
          <p className="hint">
            First response promised by <Time value={t.deadlineAt} />.
          </p>
        )}
      </header>

      {t.payment ? <PaymentSection payment={t.payment} canDecide={t.viewer.canDecide} errors={failure?.fields} /> : null}

      {t.state === "rejected" ? (
        <p className="notice" role="status">
          Declined{t.rejectReason ? ` (${t.rejectReason.replace(/_/g, " ")})` : ""}: {t.rejectMessage}. The authorisation was released; no
          charge.
        </p>
      ) : null}
      {t.state === "withdrawn" ? (
        <p className="notice" role="status">
          Withdrawn by {t.viewer.isOwner ? "you" : t.owner}
          {t.withdrawReason ? `: ${t.withdrawReason}` : ""}. The authorisation was released; no charge.
        </p>
      ) : null}
      {t.viewer.canWithdraw ? <WithdrawForm /> : null}
      {t.moneyTrail ? <MoneyTrail entries={t.moneyTrail} /> : null}
      {t.state === "expired" ? (
        <p className="notice" role="status">
          The response promise was missed, so the authorisation was released: no charge.
        </p>
      ) : null}

      <FormError message={failure?.message} />
      {failure?.fields ? (
        <ul className="field-error" role="alert">
          {Object.entries(failure.fields).map(([k, v]) => (
            <li key={k}>{v}</li>
          ))}
        </ul>
      ) : null}

      {t.viewer.canDecide && (undecided || working) ? (
        <DecideSection undecided={undecided} working={working} canRequestInfo={t.viewer.canRequestInfo} result={result} />
      ) : null}

      <section aria-labelledby="gate-title" className="card">
        <h2 id="gate-title">The request</h2>
        <GateAnswers gate={t.snapshot.gate} />
      </section>

      <Conversation ticket={t} macros={macros} result={result} />

      {publish.available ? <PublishBack publish={publish} result={result} /> : null}

      {/* Open for the member; folded for the desk, who reads it when needed. */}
      <details className="card" open={!t.viewer.canDecide}>
        <summary>Thread snapshot at payment time ({t.snapshot.posts.length} posts)</summary>
        <ThreadSnapshot snapshot={t.snapshot} />
      </details>
    </div>
  );
}
