import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormError } from "~/components/field";
import { macrosForTicket } from "~/models/desk/macro.server";
import {
  acceptPublishedAnswer,
  consentAndPublish,
  declinePublish,
  publishBackView,
  savePublishDraft,
} from "~/models/tickets/publish-back.server";
import { requestTicketRefund } from "~/models/tickets/refund.server";
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
import { TimeBadge } from "~/components/time-badge";
import { clockLevel } from "~/models/tickets/sla";
import styles from "~/styles/ticket.css";
import { Composer } from "./composer";
import { Conversation } from "./conversation";
import { DecisionBar } from "./decide";
import { PublishBack } from "./publish-back";
import { SidePanel } from "./side-panel";
import type { Result } from "./types";
import { WithdrawForm } from "./withdraw-form";
import { ClosedNotice } from "./closed-notice";

// A paid ticket: its owner and the maintainers only; everyone else gets 404.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

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
  // The composer: a reply or an internal note, alone or with a change of state.
  send: (user, id, form) => postMessage(user, id, { body: form.body, internal: form.mode === "note" }),
  "send-accept": (user, id, form) => withNote(user, id, form, () => acceptTicket(user, id, { message: spoken(form) })),
  "send-request-info": (user, id, form) => {
    if (form.mode === "note") throw badRequest("A question for the member cannot be an internal note; switch to “Reply to the member”.");
    return requestInfo(user, id, { message: form.body });
  },
  "send-resolve": (user, id, form) => withNote(user, id, form, () => resolveTicket(user, id, { message: spoken(form) })),
  // The single-purpose forms (and scripts that post them).
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
  refund: (user, id, form) => requestTicketRefund(user, id, { amount: form.amount, amountCents: form.amountCents, reason: form.reason }),
};

/** The composer's text as the message to the member, unless it is an internal note. */
const spoken = (form: Fields) => (form.mode === "note" ? undefined : form.body);

/** A note typed with a change of state is saved first, so the decision never loses it. */
async function withNote(user: User, id: string, form: Fields, decide: () => Promise<unknown>) {
  if (form.mode === "note" && String(form.body ?? "").trim()) await postMessage(user, id, { body: form.body, internal: true });
  return decide();
}

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
        </p>
      </header>

      <div className="ticket-desk">
        <div className="ticket-main stack">
          <ClosedNotice ticket={t} />
          <FormError message={failure?.message} />
          {failure?.fields ? (
            <ul className="field-error" role="alert">
              {Object.entries(failure.fields).map(([k, v]) => (
                <li key={k}>{v}</li>
              ))}
            </ul>
          ) : null}

          <section aria-labelledby="request-title" className="card">
            <h2 id="request-title">The request</h2>
            {t.snapshot.posts[0] ? (
              // Sanitized when the post was written (docs/decisions/006).
              <div className="prose" dangerouslySetInnerHTML={{ __html: t.snapshot.posts[0].bodyHtml }} />
            ) : null}
            <p className="hint">The member's answers at the gate and the whole thread are in the details.</p>
          </section>

          <Conversation ticket={t} />

          {t.viewer.canReply || t.viewer.canNote ? <Composer ticket={t} macros={macros} result={result} undecided={undecided} /> : null}

          {t.viewer.canDecide && (undecided || working) ? (
            <DecisionBar undecided={undecided} working={working} funding={t.payment?.funding ?? null} result={result} />
          ) : null}
          {t.viewer.canWithdraw ? <WithdrawForm /> : null}

          {publish.available ? <PublishBack publish={publish} result={result} /> : null}
        </div>
        <SidePanel ticket={t} errors={failure?.fields} />
      </div>
    </div>
  );
}
