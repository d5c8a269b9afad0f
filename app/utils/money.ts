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

/** "$49.00": amounts are kept in the smallest currency unit, as Stripe keeps them. */
export function formatPrice(amount: number, currency: string) {
  const units = ZERO_DECIMAL.has(currency.toLowerCase()) ? amount : amount / 100;
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).format(units);
  } catch {
    return `${units} ${currency.toUpperCase()}`;
  }
}
