// Which settings bodies the fake Meilisearch refuses when PATCH /indexes/{uid}/settings
// arrives, following https://www.meilisearch.com/docs/reference/api/settings (each
// setting's allowed values) and https://www.meilisearch.com/docs/reference/errors/error_codes
// (unknown fields are `bad_request`, a bad value `invalid_settings_<setting>`).

type Refusal = { code: string; message: string };

const SETTINGS = [
  "displayedAttributes",
  "searchableAttributes",
  "filterableAttributes",
  "sortableAttributes",
  "rankingRules",
  "stopWords",
  "nonSeparatorTokens",
  "separatorTokens",
  "dictionary",
  "synonyms",
  "distinctAttribute",
  "proximityPrecision",
  "typoTolerance",
  "faceting",
  "pagination",
  "embedders",
  "searchCutoffMs",
  "localizedAttributes",
  "facetSearch",
  "prefixSearch",
];
// https://www.meilisearch.com/docs/learn/relevancy/ranking_rules: the built-in rules, or attribute:asc|desc.
const RANKING_RULE = /^(words|typo|proximity|attribute|sort|exactness|[\w.]+:(asc|desc))$/;
const TYPO_TOLERANCE = ["enabled", "minWordSizeForTypos", "disableOnWords", "disableOnAttributes", "disableOnNumbers"];

const isStrings = (v: unknown) => v === null || (Array.isArray(v) && v.every((x) => typeof x === "string"));
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

export function settingsError(body: unknown): Refusal | null {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { code: "bad_request", message: "Invalid settings: expected an object." };
  const s = body as Record<string, any>;
  const unknown = Object.keys(s).find((k) => !SETTINGS.includes(k));
  if (unknown)
    return { code: "bad_request", message: `Unknown field \`${unknown}\`: expected one of ${SETTINGS.map((k) => `\`${k}\``).join(", ")}` };
  for (const key of ["searchableAttributes", "filterableAttributes", "sortableAttributes", "stopWords", "displayedAttributes"]) {
    if (key in s && !isStrings(s[key])) return invalid(key, "expected an array of strings");
  }
  if ("rankingRules" in s && !(isStrings(s.rankingRules) && (s.rankingRules ?? []).every((r: string) => RANKING_RULE.test(r)))) {
    return invalid("rankingRules", `expected built-in rules or \`attribute:asc|desc\`, found ${JSON.stringify(s.rankingRules)}`);
  }
  if ("distinctAttribute" in s && s.distinctAttribute !== null && typeof s.distinctAttribute !== "string")
    return invalid("distinctAttribute", "expected a string");
  const typo = s.typoTolerance;
  if (typo !== undefined && typo !== null) {
    const extra = Object.keys(typo).find((k) => !TYPO_TOLERANCE.includes(k));
    if (extra) return invalid("typoTolerance", `unknown field \`${extra}\``);
    const sizes = typo.minWordSizeForTypos ?? {};
    if (sizes.oneTypo !== undefined && sizes.twoTypos !== undefined && sizes.oneTypo > sizes.twoTypos) {
      return invalid("typoTolerance", "`minWordSizeForTypos` field `oneTypo` must be lower than or equal to `twoTypos`");
    }
  }
  const faceting = s.faceting;
  if (faceting !== undefined && faceting !== null) {
    if (faceting.maxValuesPerFacet !== undefined && !isCount(faceting.maxValuesPerFacet))
      return invalid("faceting", "`maxValuesPerFacet` must be a positive integer");
    const order = faceting.sortFacetValuesBy ?? {};
    if (Object.values(order).some((v) => v !== "alpha" && v !== "count"))
      return invalid("faceting", "`sortFacetValuesBy` values must be `alpha` or `count`");
  }
  if (s.pagination?.maxTotalHits !== undefined && !isCount(s.pagination.maxTotalHits))
    return invalid("pagination", "`maxTotalHits` must be a positive integer");
  return null;
}

function invalid(setting: string, why: string): Refusal {
  const code = `invalid_settings_${setting.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
  return { code, message: `Invalid value at \`.${setting}\`: ${why}.` };
}
