import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";

// A local fake of the few Stripe API endpoints Backline uses, served over HTTP
// so the official SDK talks to it through STRIPE_API_URL exactly as it talks to
// Stripe (form-encoded bodies, idempotency keys, Stripe's error shape). It keeps
// Checkout Sessions and PaymentIntents with Stripe's state rules, records every
// request, and can be told to fail.

export type RecordedRequest = {
  method: string;
  path: string;
  body: Record<string, any>;
  idempotencyKey: string | undefined;
  authorization: string | undefined;
};

type Session = {
  id: string;
  object: "checkout.session";
  mode: string;
  status: "open" | "complete" | "expired";
  payment_status: "unpaid" | "paid";
  payment_intent: string | null;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  customer_email: string | null;
  success_url: string;
  cancel_url: string;
  url: string | null;
  amount_total: number;
  currency: string;
  created: number;
  expires_at: number;
  livemode: false;
  subscription?: string | null;
  _paymentIntentData: Record<string, any>;
  _subscriptionMetadata?: Record<string, string>;
};

type Intent = {
  id: string;
  object: "payment_intent";
  status: string;
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  capture_method: string;
  metadata: Record<string, string>;
  created: number;
  livemode: false;
  latest_charge?: string | null;
};

type Charge = {
  id: string;
  object: "charge";
  amount: number;
  amount_refunded: number;
  refunded: boolean;
  currency: string;
  payment_intent: string;
  status: "succeeded";
  created?: number;
  // A manual-capture card charge: capturable until capture_before (unix seconds), about 7 days.
  payment_method_details?: { type: "card"; card: { capture_before: number } };
};

type Refund = {
  id: string;
  object: "refund";
  amount: number;
  charge: string;
  currency: string;
  payment_intent: string;
  metadata: Record<string, string>;
  reason: string | null;
  status: "succeeded";
  created: number;
};

type Dispute = {
  id: string;
  object: "dispute";
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string;
  status: string;
  reason: string;
  created: number;
  livemode: false;
};

// An invoice as Stripe keeps it; `_legacy` answers in the shape of API versions before
// 2025-03-31.basil (payment_intent on the invoice) instead of the `payments` list.
type Invoice = {
  id: string;
  object: "invoice";
  status: "paid" | "open";
  amount_paid: number;
  billing_reason: string;
  currency: string;
  parent: {
    type: "subscription_details";
    quote_details: null;
    subscription_details: { subscription: string; metadata: Record<string, string> };
  };
  lines: { object: "list"; data: { id: string; period: { start: number; end: number } }[] };
  _paymentIntent: string;
  _legacy: boolean;
};

// A Price as prices.retrieve answers it; `recurring` null for a one-time price.
type Price = {
  id?: string;
  object?: "price";
  unit_amount: number;
  currency: string;
  active?: boolean;
  type?: "one_time" | "recurring";
  recurring?: { interval: string; interval_count: number } | null;
};

// A subscription with its renewal state. `_legacy` answers and builds webhooks in the shape of API
// versions before 2025-03-31.basil (current_period_end on the subscription, not on its items).
type Subscription = {
  id: string;
  object: "subscription";
  status: string;
  metadata: Record<string, string>;
  cancel_at_period_end?: boolean;
  cancel_at?: number | null;
  _periodEnd?: number;
};

// afterApplying: the operation happens, then the answer is an error (a lost response).
type Failure = {
  method: string;
  path: RegExp;
  status: number;
  type: string;
  code?: string;
  message: string;
  times: number;
  afterApplying?: boolean;
};

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);

/** Stripe's form encoding (a[b][0][c]=v) back into objects and arrays. */
export function parseStripeForm(body: string): Record<string, any> {
  const root: Record<string, any> = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const keys = rawKey.replace(/\]/g, "").split("[");
    let node: any = root;
    keys.forEach((key, i) => {
      const last = i === keys.length - 1;
      if (last) {
        node[key] = value;
        return;
      }
      node[key] ??= /^\d+$/.test(keys[i + 1]!) ? [] : {};
      node = node[key];
    });
  }
  return root;
}

export class FakeStripe {
  requests: RecordedRequest[] = [];
  sessions = new Map<string, Session>();
  intents = new Map<string, Intent>();
  subscriptions = new Map<string, Subscription>();
  prices = new Map<string, Price>();
  charges = new Map<string, Charge>();
  refunds = new Map<string, Refund>();
  invoices = new Map<string, Invoice>();
  private failures: Failure[] = [];
  private server?: Server;
  url = "";
  /** Requests held unanswered (see hold()); the count only grows. */
  held = 0;
  private holding: { method: string; path: RegExp } | null = null;
  private releases: (() => void)[] = [];

  async start() {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop() {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  reset() {
    this.requests = [];
    this.failures = [];
  }

  /** Matching requests wait, unanswered, until release(): a slow Stripe. One whose client went away meanwhile is dropped. */
  hold(method: string, path: RegExp) {
    this.holding = { method, path };
  }

  release() {
    this.holding = null;
    for (const r of this.releases.splice(0)) r();
  }

  /** The next `times` matching requests answer with this Stripe error. */
  failNext(
    method: string,
    path: RegExp,
    error: { status: number; type?: string; code?: string; message: string; afterApplying?: boolean },
    times = 1,
  ) {
    this.failures.push({
      method,
      path,
      times,
      type: error.type ?? (error.status >= 500 ? "api_error" : "invalid_request_error"),
      ...error,
    });
  }

  calls(method: string, path: RegExp) {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  /** The customer pays on Stripe's page: the card is authorised (manual capture) and the session completes. */
  completeSession(sessionId: string, opts: { intentStatus?: "processing" | "succeeded" } = {}): Session {
    const session = this.sessions.get(sessionId);
    if (!session) throw new Error(`fake stripe: no session ${sessionId}`);
    // Stripe's page refuses payment once the session expired.
    if (session.status !== "open") throw new Error(`fake stripe: session ${sessionId} is ${session.status}, it cannot be paid`);
    if (session.mode === "subscription") {
      const sub = {
        id: id("sub"),
        object: "subscription" as const,
        status: "active",
        metadata: { ...(session._subscriptionMetadata ?? {}) },
      };
      this.subscriptions.set(sub.id, sub);
      Object.assign(session, { status: "complete", payment_status: "paid", subscription: sub.id, url: null });
      return this.publicSession(session);
    }
    const pid = session._paymentIntentData;
    const manual = pid.capture_method === "manual";
    const intent: Intent = {
      id: id("pi"),
      object: "payment_intent",
      status: manual ? "requires_capture" : "succeeded",
      amount: session.amount_total,
      amount_capturable: manual ? session.amount_total : 0,
      amount_received: manual ? 0 : session.amount_total,
      currency: session.currency,
      capture_method: pid.capture_method ?? "automatic_async",
      metadata: { ...(pid.metadata ?? {}) },
      created: now(),
      livemode: false,
    };
    this.intents.set(intent.id, intent);
    if (manual) this.authoriseCharge(intent);
    if (opts.intentStatus) this.moveIntent(intent.id, opts.intentStatus);
    // Stripe reports a manual-capture session as "unpaid": the funds are only authorised.
    Object.assign(session, { status: "complete", payment_status: manual ? "unpaid" : "paid", payment_intent: intent.id, url: null });
    return this.publicSession(session);
  }

  /** The same event from live mode (`livemode: true`): a production forum applies only these (docs/decisions/038). */
  liveEvent(type: string, object: object, eventId?: string) {
    return { ...this.event(type, object, eventId), livemode: true };
  }

  expireSession(sessionId: string): Session {
    const session = this.sessions.get(sessionId)!;
    Object.assign(session, { status: "expired", url: null });
    return this.publicSession(session);
  }

  /** A Stripe event object around `object`, as a webhook would carry it. */
  event(type: string, object: object, eventId = id("evt")) {
    return {
      id: eventId,
      object: "event",
      api_version: Stripe.API_VERSION,
      created: now(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    };
  }

  /**
   * Stripe bills a subscription: a paid invoice with a succeeded PaymentIntent and its charge.
   * Returns the invoice as an invoice.paid webhook carries it (see event()).
   */
  payInvoice(subscriptionId: string, opts: { amount: number; currency?: string; legacy?: boolean; billingReason?: string }) {
    const sub = this.subscriptions.get(subscriptionId);
    if (!sub) throw new Error(`fake stripe: no subscription ${subscriptionId}`);
    const currency = opts.currency ?? "usd";
    const intent: Intent = {
      id: id("pi"),
      object: "payment_intent",
      status: "succeeded",
      amount: opts.amount,
      amount_capturable: 0,
      amount_received: opts.amount,
      currency,
      capture_method: "automatic",
      metadata: {},
      created: now(),
      livemode: false,
    };
    const charge: Charge = {
      id: id("ch"),
      object: "charge",
      amount: opts.amount,
      amount_refunded: 0,
      refunded: false,
      currency,
      payment_intent: intent.id,
      status: "succeeded",
    };
    intent.latest_charge = charge.id;
    this.intents.set(intent.id, intent);
    this.charges.set(charge.id, charge);
    const end = now() + 365 * 86_400;
    sub._periodEnd = end;
    if (sub.status === "past_due") sub.status = "active";
    const invoice: Invoice = {
      id: id("in"),
      object: "invoice",
      status: "paid",
      amount_paid: opts.amount,
      currency,
      billing_reason: opts.billingReason ?? "subscription_create",
      parent: {
        type: "subscription_details",
        quote_details: null,
        subscription_details: { subscription: sub.id, metadata: { ...sub.metadata } },
      },
      lines: { object: "list", data: [{ id: id("il"), period: { start: end - 365 * 86_400, end } }] },
      _paymentIntent: intent.id,
      _legacy: opts.legacy ?? false,
    };
    this.invoices.set(invoice.id, invoice);
    return this.publicInvoice(invoice, false);
  }

  /** POST /v1/prices: a one-time Price, or a recurring one with recurring[interval]. */
  createPrice(body: {
    unit_amount: number | string;
    currency: string;
    recurring?: { interval: string; interval_count?: number | string };
    active?: boolean;
  }) {
    const priceId = id("price");
    const recurring = body.recurring
      ? { interval: body.recurring.interval, interval_count: Number(body.recurring.interval_count ?? 1) }
      : null;
    this.prices.set(priceId, {
      unit_amount: Number(body.unit_amount),
      currency: body.currency,
      active: body.active ?? true,
      recurring,
      type: recurring ? "recurring" : "one_time",
    });
    return this.publicPrice(priceId, this.prices.get(priceId)!);
  }

  publicPrice(priceId: string, p: Price) {
    return {
      id: priceId,
      object: "price",
      active: p.active ?? true,
      currency: p.currency,
      unit_amount: p.unit_amount,
      type: p.recurring ? "recurring" : "one_time",
      recurring: p.recurring ?? null,
      livemode: false,
      metadata: {},
    };
  }

  /**
   * The subscription as the API (or a customer.subscription.* webhook) carries it: from basil on the
   * period end is on each item, before it on the subscription itself.
   */
  subscriptionObject(subscriptionId: string, opts: { legacy?: boolean } = {}) {
    const sub = this.subscriptions.get(subscriptionId);
    if (!sub) throw new Error(`fake stripe: no subscription ${subscriptionId}`);
    const { _periodEnd, ...rest } = sub;
    const end = _periodEnd ?? now() + 365 * 86_400;
    const base = {
      ...structuredClone(rest),
      cancel_at_period_end: sub.cancel_at_period_end ?? false,
      cancel_at: sub.cancel_at ?? null,
      livemode: false,
    };
    if (opts.legacy)
      return {
        ...base,
        current_period_start: end - 365 * 86_400,
        current_period_end: end,
        items: { object: "list", data: [{ id: id("si"), object: "subscription_item" }] },
      };
    return {
      ...base,
      items: {
        object: "list",
        data: [{ id: id("si"), object: "subscription_item", current_period_start: end - 365 * 86_400, current_period_end: end }],
      },
    };
  }

  /** A renewal charge fails: an open, unpaid invoice and the subscription past due (invoice.payment_failed's payload). */
  failInvoice(subscriptionId: string, opts: { amount: number; currency?: string; legacy?: boolean }) {
    const sub = this.subscriptions.get(subscriptionId);
    if (!sub) throw new Error(`fake stripe: no subscription ${subscriptionId}`);
    sub.status = "past_due";
    const end = now() + 365 * 86_400;
    const invoice: Invoice = {
      id: id("in"),
      object: "invoice",
      status: "open",
      amount_paid: 0,
      currency: opts.currency ?? "usd",
      billing_reason: "subscription_cycle",
      parent: {
        type: "subscription_details",
        quote_details: null,
        subscription_details: { subscription: sub.id, metadata: { ...sub.metadata } },
      },
      lines: { object: "list", data: [{ id: id("il"), period: { start: end - 365 * 86_400, end } }] },
      _paymentIntent: id("pi"),
      _legacy: opts.legacy ?? false,
    };
    this.invoices.set(invoice.id, invoice);
    const out = this.publicInvoice(invoice, false);
    if (!opts.legacy) return out;
    // Before basil the invoice named its subscription itself.
    const { parent, ...legacy } = out;
    return { ...legacy, subscription: sub.id, subscription_details: { metadata: parent.subscription_details.metadata } };
  }

  /** `payments` is includable: only present when asked for with expand[]=payments. */
  publicInvoice(inv: Invoice, includePayments: boolean) {
    const { _paymentIntent, _legacy, ...rest } = inv;
    const out: Omit<Invoice, "_paymentIntent" | "_legacy"> & Record<string, unknown> = structuredClone(rest);
    if (_legacy) out.payment_intent = _paymentIntent;
    else if (includePayments) {
      out.payments = {
        object: "list",
        has_more: false,
        url: "/v1/invoice_payments",
        data: [
          {
            id: `inpay_${_paymentIntent.slice(3)}`,
            object: "invoice_payment",
            invoice: inv.id,
            is_default: true,
            status: "paid",
            amount_paid: inv.amount_paid,
            amount_requested: inv.amount_paid,
            currency: inv.currency,
            payment: { type: "payment_intent", payment_intent: _paymentIntent },
          },
        ],
      };
    }
    return out;
  }

  /** The card charge behind a manual-capture authorisation, with Stripe's capture window. */
  private authoriseCharge(intent: Intent) {
    const charge: Charge = {
      id: id("ch"),
      object: "charge",
      amount: intent.amount,
      amount_refunded: 0,
      refunded: false,
      currency: intent.currency,
      payment_intent: intent.id,
      status: "succeeded",
      created: intent.created,
      payment_method_details: { type: "card", card: { capture_before: intent.created + 7 * 86_400 } },
    };
    this.charges.set(charge.id, charge);
    intent.latest_charge = charge.id;
  }

  /** The hold runs out: capture_before is moved into the past, as if 7 days went by. */
  lapseHold(paymentIntentId: string) {
    const charge = this.charges.get(this.intents.get(paymentIntentId)?.latest_charge ?? "");
    if (!charge?.payment_method_details) throw new Error(`fake stripe: no card hold on ${paymentIntentId}`);
    charge.payment_method_details.card.capture_before = now() - 1;
  }

  /** A PaymentIntent changes status outside Backline: processing → requires_capture, or captured in the dashboard. */
  moveIntent(paymentIntentId: string, status: "processing" | "requires_capture" | "succeeded") {
    const intent = this.intents.get(paymentIntentId)!;
    Object.assign(
      intent,
      status === "succeeded"
        ? { status, amount_received: intent.amount, amount_capturable: 0 }
        : { status, amount_capturable: status === "requires_capture" ? intent.amount : 0 },
    );
    return { ...intent };
  }

  private holdExpired(pi: Intent) {
    const before = this.charges.get(pi.latest_charge ?? "")?.payment_method_details?.card.capture_before;
    return before !== undefined && before <= now();
  }

  private expiredForCapture(pi: Intent): [number, unknown] {
    return [
      400,
      {
        error: {
          type: "invalid_request_error",
          code: "charge_expired_for_capture",
          message: `The charge for PaymentIntent ${pi.id} cannot be captured because the authorization has expired.`,
        },
      },
    ];
  }

  /** expand[]=latest_charge / payment_intent, as Stripe embeds the object for the id. */
  private expanded<T extends Record<string, any>>(obj: T, expand: string[] | undefined): T {
    const out: Record<string, any> = { ...obj };
    if (expand?.includes("latest_charge") && typeof out.latest_charge === "string")
      out.latest_charge = { ...this.charges.get(out.latest_charge) };
    if (expand?.includes("payment_intent") && typeof out.payment_intent === "string") {
      out.payment_intent = this.expanded({ ...this.intents.get(out.payment_intent) }, ["latest_charge"]);
    }
    return out as T;
  }

  publicSession(s: Session): Session {
    const { _paymentIntentData: _, _subscriptionMetadata: __, ...rest } = s;
    return structuredClone(rest) as Session;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    if (this.holding && this.holding.method === method && this.holding.path.test(url.pathname)) {
      this.held++;
      await new Promise<void>((resolve) => this.releases.push(resolve));
      if (req.socket.destroyed) return;
    }
    const body = method === "GET" ? parseStripeForm(url.search.slice(1)) : parseStripeForm(raw);
    this.requests.push({
      method,
      path: url.pathname,
      body,
      idempotencyKey: req.headers["idempotency-key"] as string | undefined,
      authorization: req.headers.authorization,
    });
    const failure = this.failures.find((f) => f.method === method && f.path.test(url.pathname) && f.times > 0);
    if (failure) {
      failure.times -= 1;
      if (failure.afterApplying) this.route(method, url.pathname, body);
      // Stripe-Should-Retry: false keeps the SDK from retrying on its own; Backline's jobs retry.
      return this.send(
        res,
        failure.status,
        { error: { type: failure.type, code: failure.code, message: failure.message } },
        { "Stripe-Should-Retry": "false" },
      );
    }
    try {
      const [status, payload] = this.route(method, url.pathname, body);
      this.send(res, status, payload);
    } catch (error) {
      this.send(res, 500, { error: { type: "api_error", message: String(error) } });
    }
  }

  private send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { "Content-Type": "application/json", "Request-Id": id("req"), ...headers });
    res.end(JSON.stringify(payload));
  }

  private missing(what: string, key: string): [number, unknown] {
    return [404, { error: { type: "invalid_request_error", code: "resource_missing", message: `No such ${what}: '${key}'`, param: "id" } }];
  }

  private unexpected(intent: Intent, action: string): [number, unknown] {
    return [
      400,
      {
        error: {
          type: "invalid_request_error",
          code: "payment_intent_unexpected_state",
          message: `This PaymentIntent could not be ${action} because it has a status of ${intent.status}.`,
        },
      },
    ];
  }

  private route(method: string, path: string, body: Record<string, any>): [number, unknown] {
    let m: RegExpMatchArray | null;
    const refundsOrDisputes = this.routeRefunds(method, path, body);
    if (refundsOrDisputes) return refundsOrDisputes;
    if (method === "POST" && path === "/v1/checkout/sessions") {
      const price = body.line_items?.[0]?.price;
      if (price && !this.prices.has(price)) return this.missing("price", price);
      return [200, this.createSession(body)];
    }
    if (method === "GET" && (m = path.match(/^\/v1\/checkout\/sessions\/([^/]+)$/))) {
      const s = this.sessions.get(m[1]!);
      return s ? [200, this.expanded(this.publicSession(s), body.expand)] : this.missing("checkout.session", m[1]!);
    }
    if (method === "POST" && (m = path.match(/^\/v1\/checkout\/sessions\/([^/]+)\/expire$/))) {
      const s = this.sessions.get(m[1]!);
      if (!s) return this.missing("checkout.session", m[1]!);
      if (s.status !== "open") {
        return [
          400,
          {
            error: {
              type: "invalid_request_error",
              message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of ${s.status}.`,
            },
          },
        ];
      }
      return [200, this.expireSession(s.id)];
    }
    if (method === "DELETE" && (m = path.match(/^\/v1\/subscriptions\/([^/]+)$/))) {
      const sub = this.subscriptions.get(m[1]!);
      if (!sub) return this.missing("subscription", m[1]!);
      if (sub.status === "canceled") {
        return [400, { error: { type: "invalid_request_error", code: "resource_missing", message: `No such subscription: '${sub.id}'` } }];
      }
      sub.status = "canceled";
      return [200, { ...sub }];
    }
    if (method === "POST" && path === "/v1/prices") return [200, this.createPrice(body as { unit_amount: string; currency: string })];
    if (method === "GET" && (m = path.match(/^\/v1\/prices\/([^/]+)$/))) {
      const price = this.prices.get(m[1]!);
      return price ? [200, this.publicPrice(m[1]!, price)] : this.missing("price", m[1]!);
    }
    if ((m = path.match(/^\/v1\/subscriptions\/([^/]+)$/)) && (method === "GET" || method === "POST")) {
      const sub = this.subscriptions.get(m[1]!);
      if (!sub) return this.missing("subscription", m[1]!);
      if (method === "POST" && body.cancel_at_period_end !== undefined) {
        if (sub.status === "canceled") {
          return [
            400,
            {
              error: {
                type: "invalid_request_error",
                message: "A canceled subscription can only update its cancellation_details and metadata.",
              },
            },
          ];
        }
        sub.cancel_at_period_end = body.cancel_at_period_end === "true";
      }
      return [200, this.subscriptionObject(sub.id)];
    }
    if (method === "GET" && (m = path.match(/^\/v1\/invoices\/([^/]+)$/))) {
      const inv = this.invoices.get(m[1]!);
      if (!inv) return this.missing("invoice", m[1]!);
      const expand: string[] = body.expand ?? [];
      if (inv._legacy && expand.includes("payments")) {
        return [
          400,
          { error: { type: "invalid_request_error", message: "This property cannot be expanded (payments).", param: "expand[0]" } },
        ];
      }
      return [200, this.publicInvoice(inv, expand.includes("payments"))];
    }
    if (method === "POST" && path === "/v1/refunds") return this.createRefund(body);
    if (method === "GET" && (m = path.match(/^\/v1\/payment_intents\/([^/]+)$/))) {
      const pi = this.intents.get(m[1]!);
      return pi ? [200, this.expanded({ ...pi }, body.expand)] : this.missing("payment_intent", m[1]!);
    }
    if (method === "POST" && (m = path.match(/^\/v1\/payment_intents\/([^/]+)\/capture$/))) {
      const pi = this.intents.get(m[1]!);
      if (!pi) return this.missing("payment_intent", m[1]!);
      if (pi.status !== "requires_capture") return this.unexpected(pi, "captured");
      if (this.holdExpired(pi)) return this.expiredForCapture(pi);
      Object.assign(pi, { status: "succeeded", amount_received: pi.amount, amount_capturable: 0 });
      return [200, { ...pi }];
    }
    if (method === "POST" && (m = path.match(/^\/v1\/payment_intents\/([^/]+)\/cancel$/))) {
      const pi = this.intents.get(m[1]!);
      if (!pi) return this.missing("payment_intent", m[1]!);
      if (pi.status === "succeeded" || pi.status === "canceled") return this.unexpected(pi, "canceled");
      Object.assign(pi, { status: "canceled", amount_capturable: 0 });
      return [200, { ...pi }];
    }
    return [404, { error: { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path}).` } }];
  }

  /** POST /v1/refunds by payment_intent or charge; the whole remaining amount unless `amount` says less. */
  private createRefund(body: Record<string, any>): [number, unknown] {
    const intent = body.payment_intent ? this.intents.get(body.payment_intent) : undefined;
    if (body.payment_intent && !intent) return this.missing("payment_intent", body.payment_intent);
    const chargeId = body.charge ?? (intent ? this.chargeOf(intent)?.id : undefined);
    const charge = chargeId ? this.charges.get(chargeId) : undefined;
    if (!charge || (intent && intent.status !== "succeeded")) {
      return [
        400,
        {
          error: {
            type: "invalid_request_error",
            message: `This PaymentIntent (${body.payment_intent}) does not have a successful charge to refund.`,
          },
        },
      ];
    }
    if (charge.refunded) {
      return [
        400,
        {
          error: {
            type: "invalid_request_error",
            code: "charge_already_refunded",
            message: `Charge ${charge.id} has already been refunded.`,
          },
        },
      ];
    }
    const left = charge.amount - charge.amount_refunded;
    const amount = body.amount === undefined ? left : Number(body.amount);
    if (amount > left) {
      return [
        400,
        {
          error: {
            type: "invalid_request_error",
            code: "amount_too_large",
            param: "amount",
            message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
          },
        },
      ];
    }
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    const refund: Refund = {
      id: id("re"),
      object: "refund",
      amount,
      charge: charge.id,
      currency: charge.currency,
      payment_intent: charge.payment_intent,
      metadata: body.metadata ?? {},
      reason: body.reason ?? null,
      status: "succeeded",
      created: now(),
    };
    this.refunds.set(refund.id, refund);
    return [200, { ...refund }];
  }

  // ---- refunds (list, retrieve, made in the dashboard) and disputes

  disputes = new Map<string, Dispute>();

  /** The charge of a captured PaymentIntent; a manual capture gets its charge (amount_received) on first use. */
  chargeOf(intent: Intent): Charge | undefined {
    if (intent.latest_charge) return this.charges.get(intent.latest_charge);
    if (intent.status !== "succeeded") return undefined;
    const charge: Charge = {
      id: id("ch"),
      object: "charge",
      amount: intent.amount_received,
      amount_refunded: 0,
      refunded: false,
      currency: intent.currency,
      payment_intent: intent.id,
      status: "succeeded",
    };
    this.charges.set(charge.id, charge);
    intent.latest_charge = charge.id;
    return charge;
  }

  /** Someone refunds in Stripe's dashboard (no Backline metadata). Returns the charge.refunded event to deliver. */
  refundInDashboard(paymentIntentId: string, amount?: number) {
    const [status, refund] = this.createRefund({ payment_intent: paymentIntentId, ...(amount ? { amount: String(amount) } : {}) });
    if (status !== 200) throw new Error(`fake stripe: dashboard refund refused: ${JSON.stringify(refund)}`);
    return this.chargeRefundedEvent(paymentIntentId);
  }

  /** charge.refunded as API versions since 2022-11-15 send it: no `refunds` list on the charge. */
  chargeRefundedEvent(paymentIntentId: string) {
    const charge = this.chargeOf(this.intents.get(paymentIntentId)!)!;
    return this.event("charge.refunded", { ...charge });
  }

  /** The cardholder disputes the charge: returns the charge.dispute.created event. */
  openDispute(paymentIntentId: string, amount?: number) {
    const charge = this.chargeOf(this.intents.get(paymentIntentId)!)!;
    const dispute: Dispute = {
      id: id("dp"),
      object: "dispute",
      amount: amount ?? charge.amount,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: paymentIntentId,
      status: "needs_response",
      reason: "fraudulent",
      created: now(),
      livemode: false,
    };
    this.disputes.set(dispute.id, dispute);
    return this.event("charge.dispute.created", { ...dispute });
  }

  closeDispute(disputeId: string, outcome: "won" | "lost") {
    const dispute = this.disputes.get(disputeId)!;
    dispute.status = outcome;
    return this.event("charge.dispute.closed", { ...dispute });
  }

  private routeRefunds(method: string, path: string, body: Record<string, any>): [number, unknown] | null {
    if (method === "GET" && path === "/v1/refunds") {
      const data = [...this.refunds.values()].filter((r) => !body.payment_intent || r.payment_intent === body.payment_intent).reverse();
      return [200, { object: "list", data, has_more: false, url: "/v1/refunds" }];
    }
    if (method === "GET" && path === "/v1/disputes") {
      const data = [...this.disputes.values()].filter((d) => !body.payment_intent || d.payment_intent === body.payment_intent).reverse();
      return [200, { object: "list", data: data.map((d) => ({ ...d })), has_more: false, url: "/v1/disputes" }];
    }
    if (method === "GET" && path === "/v1/invoices") {
      const data = [...this.invoices.values()]
        .filter((i) => !body.subscription || i.parent.subscription_details.subscription === body.subscription)
        .map((i) => this.publicInvoice(i, false));
      return [200, { object: "list", data, has_more: false, url: "/v1/invoices" }];
    }
    const m = path.match(/^\/v1\/refunds\/([^/]+)$/);
    if (method === "GET" && m) {
      const refund = this.refunds.get(m[1]!);
      return refund ? [200, { ...refund }] : this.missing("refund", m[1]!);
    }
    return null;
  }

  private createSession(body: Record<string, any>): Session {
    const item = body.line_items?.[0] ?? {};
    const price = item.price ? this.prices.get(item.price) : undefined;
    const quantity = Number(item.quantity ?? 1);
    const unit = price ? price.unit_amount : Number(item.price_data?.unit_amount);
    const sessionId = id("cs_test");
    const session: Session = {
      id: sessionId,
      object: "checkout.session",
      mode: body.mode,
      status: "open",
      payment_status: "unpaid",
      payment_intent: null,
      client_reference_id: body.client_reference_id ?? null,
      metadata: body.metadata ?? {},
      customer_email: body.customer_email ?? null,
      success_url: body.success_url,
      cancel_url: body.cancel_url,
      url: `https://checkout.stripe.test/c/pay/${sessionId}`,
      amount_total: unit * quantity,
      currency: price ? price.currency : item.price_data?.currency,
      created: now(),
      expires_at: now() + 86_400,
      livemode: false,
      _paymentIntentData: body.payment_intent_data ?? {},
      _subscriptionMetadata: body.subscription_data?.metadata ?? {},
    };
    this.sessions.set(sessionId, session);
    return this.publicSession(session);
  }
}

export const startFakeStripe = () => new FakeStripe().start();

/** Signs a webhook payload the way Stripe does, for the given secret. */
export function signedHeader(payload: string, secret: string, timestamp?: number) {
  return new Stripe("sk_test_signing_only").webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

/** Delivers `event` to a running forum's webhook endpoint, signed with `secret`, as Stripe would. */
export function deliverWebhook(serverUrl: string, event: object, secret: string) {
  const payload = JSON.stringify(event);
  return fetch(`${serverUrl}/webhooks/stripe`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Stripe-Signature": signedHeader(payload, secret) },
    body: payload,
  });
}
