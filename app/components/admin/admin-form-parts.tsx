import { Field } from "~/components/field";

// Pieces the admin's editing pages share (tiers, insurance plans, categories, macros), so a price, a Stripe Price id
// or a Save/Delete row reads and behaves the same on each.

/**
 * An amount typed in cents, with its minimum (Stripe's smallest charge for a price), read from the row being edited
 * (`of`) and the form's errors by its name. The label says "(cents)" and the hint starts "In cents:".
 */
export function CentsField<N extends string>(props: {
  label: string;
  name: N;
  min: number;
  of?: { [K in N]?: number } | null;
  errors?: Record<string, string>;
  hint: string;
}) {
  const { label, name, min, of, errors, hint } = props;
  return (
    <Field
      label={`${label} (cents)`}
      name={name}
      type="number"
      min={min}
      required
      defaultValue={of?.[name]}
      error={errors?.[name]}
      hint={`In cents: ${hint}`}
    />
  );
}

export function CurrencyField({ value, error }: { value?: string; error?: string }) {
  return <Field label="Currency" name="currency" defaultValue={value ?? "usd"} required maxLength={3} error={error} />;
}

/** The optional Stripe Price a tier (one-time) or a plan (yearly) charges; checked with Stripe once keys are set. */
export function StripePriceField({
  value,
  error,
  pricesChecked,
  billing,
}: {
  value?: string | null;
  error?: string;
  pricesChecked: boolean;
  billing: "one-time" | "yearly";
}) {
  return (
    <Field
      label={billing === "yearly" ? "Stripe Price id (optional, yearly recurring)" : "Stripe Price id (optional)"}
      name="stripePriceId"
      defaultValue={value ?? ""}
      error={error}
      hint={
        pricesChecked
          ? `When set, Checkout charges this Price: a ${billing === "yearly" ? "yearly recurring" : "one-time"} Price with the amount and currency above, checked with Stripe on save and at every checkout.`
          : "Test mode: no Stripe keys, so this id is saved but not checked. It is checked against the price above on the first checkout once Stripe is configured."
      }
    />
  );
}

export function OfferedCheckbox({ checked }: { checked?: boolean }) {
  return (
    <div className="field checkbox">
      <label>
        <input type="checkbox" name="active" value="on" defaultChecked={checked ?? true} /> Offered to members
      </label>
    </div>
  );
}

/** Every refused field of the last save, named, above the forms (the failed form may be any of them). */
export function FieldErrorList({ fields }: { fields?: Record<string, string> }) {
  if (!fields) return null;
  return (
    <ul className="field-error" role="alert">
      {Object.entries(fields).map(([k, v]) => (
        <li key={k}>
          {k}: {v}
        </li>
      ))}
    </ul>
  );
}

/** Save, and Delete unless `cannotDelete` says why not. */
export function SaveDeleteButtons({ cannotDelete }: { cannotDelete?: string }) {
  return (
    <div className="row">
      <button type="submit" name="intent" value="update">
        Save
      </button>
      <button type="submit" name="intent" value="delete" className="danger" disabled={Boolean(cannotDelete)} title={cannotDelete}>
        Delete
      </button>
    </div>
  );
}
