// Stripe's zero-decimal currencies: their amounts are already whole units.
const ZERO_DECIMAL = new Set([
  "bif",
  "clp",
  "djf",
  "gnf",
  "jpy",
  "kmf",
  "krw",
  "mga",
  "pyg",
  "rwf",
  "ugx",
  "vnd",
  "vuv",
  "xaf",
  "xof",
  "xpf",
]);

/** An amount as a person types it in the currency's main unit: "12", "12.5", "12.50" (or "12,50"). */
export const TYPED_AMOUNT = /^\d{1,9}(?:[.,]\d{1,2})?$/;

/**
 * "12.50" in the smallest unit of `currency` (1250 for USD, as Stripe keeps amounts); null when it has decimals
 * the currency has not (JPY). `typed` matches TYPED_AMOUNT.
 */
export function toSmallestUnit(typed: string, currency: string): number | null {
  const [whole, fraction = ""] = typed.split(/[.,]/);
  if (ZERO_DECIMAL.has(currency.toLowerCase())) return /^0*$/.test(fraction) ? Number(whole) : null;
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

/** "$49.00": amounts are kept in the smallest currency unit, as Stripe keeps them. */
export function formatPrice(amount: number, currency: string) {
  const units = ZERO_DECIMAL.has(currency.toLowerCase()) ? amount : amount / 100;
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).format(units);
  } catch {
    return `${units} ${currency.toUpperCase()}`;
  }
}
