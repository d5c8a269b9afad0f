// Meilisearch's filter expressions, parsed with its quoting rules, so a filter
// the adapter builds badly fails here too. Rules from
// https://www.meilisearch.com/docs/learn/filtering_and_sorting/filter_expression_reference

export type Doc = Record<string, unknown>;

export class FilterError extends Error {}

type Token = { kind: "word" | "string" | "op" | "punct"; value: string };

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= input.length) throw new FilterError(`Expected \`${c}\` to close the value at \`${input}\`.`);
        const ch = input[i]!;
        if (ch === "\\") {
          const next = input[i + 1];
          if (next === undefined) throw new FilterError("Dangling escape in filter.");
          value += next;
          i += 2;
          continue;
        }
        if (ch === c) {
          i++;
          break;
        }
        value += ch;
        i++;
      }
      tokens.push({ kind: "string", value });
      continue;
    }
    const op = /^(!=|>=|<=|=|>|<)/.exec(input.slice(i));
    if (op) {
      tokens.push({ kind: "op", value: op[1]! });
      i += op[1]!.length;
      continue;
    }
    if ("()[],".includes(c)) {
      tokens.push({ kind: "punct", value: c });
      i++;
      continue;
    }
    const word = /^[\p{L}\p{N}_.-]+/u.exec(input.slice(i));
    if (!word) throw new FilterError(`Unexpected character \`${c}\` in filter \`${input}\`.`);
    tokens.push({ kind: "word", value: word[0] });
    i += word[0].length;
  }
  return tokens;
}

function compileExpression(input: string, attributes: Set<string>): (d: Doc) => boolean {
  const tokens = lex(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const keyword = (w: string) => peek()?.kind === "word" && peek()!.value === w;
  const expect = (value: string) => {
    const t = tokens[pos++];
    if (!t || t.value !== value) throw new FilterError(`Expected \`${value}\` in filter \`${input}\`.`);
  };
  const value = (): string => {
    const t = tokens[pos++];
    if (!t || (t.kind !== "word" && t.kind !== "string")) throw new FilterError(`Expected a value in filter \`${input}\`.`);
    if (t.kind === "word" && ["AND", "OR", "NOT", "IN", "TO"].includes(t.value))
      throw new FilterError(`\`${t.value}\` is a reserved keyword.`);
    return t.value;
  };
  const list = (): string[] => {
    expect("[");
    const values: string[] = [];
    while (peek()?.value !== "]") {
      values.push(value());
      if (peek()?.value === ",") pos++;
    }
    expect("]");
    return values;
  };
  const condition = (): ((d: Doc) => boolean) => {
    const attr = value();
    attributes.add(attr);
    if (keyword("NOT")) {
      pos++;
      if (!keyword("IN")) throw new FilterError("Expected IN after NOT.");
      pos++;
      const values = list();
      return (d) => !matchesAny(d[attr], values);
    }
    if (keyword("IN")) {
      pos++;
      const values = list();
      return (d) => matchesAny(d[attr], values);
    }
    const op = tokens[pos++];
    if (!op || op.kind !== "op") throw new FilterError(`Expected an operator after \`${attr}\` in filter \`${input}\`.`);
    const v = value();
    return (d) => compare(d[attr], op.value, v);
  };
  const primary = (): ((d: Doc) => boolean) => {
    if (keyword("NOT")) {
      pos++;
      const inner = primary();
      return (d) => !inner(d);
    }
    if (peek()?.value === "(") {
      pos++;
      const inner = or();
      expect(")");
      return inner;
    }
    return condition();
  };
  const and = () => {
    const parts = [primary()];
    while (keyword("AND")) {
      pos++;
      parts.push(primary());
    }
    return (d: Doc) => parts.every((p) => p(d));
  };
  const or = () => {
    const parts = [and()];
    while (keyword("OR")) {
      pos++;
      parts.push(and());
    }
    return (d: Doc) => parts.some((p) => p(d));
  };
  const result = or();
  if (pos !== tokens.length) throw new FilterError(`Found unexpected characters at the end of the filter: \`${input}\`.`);
  return result;
}

export const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);
// "Filter expressions are case-insensitive" for string values (filter expression reference, "Conditions").
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const matchesAny = (field: unknown, values: string[]) => asStrings(field).some((f) => values.some((v) => same(f, v)));

function compare(field: unknown, op: string, value: string): boolean {
  if (op === "=") return matchesAny(field, [value]);
  if (op === "!=") return !matchesAny(field, [value]);
  const a = Number(field);
  const b = Number(value);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  return op === ">" ? a > b : op === ">=" ? a >= b : op === "<" ? a < b : a <= b;
}

/**
 * A Meilisearch `filter` (string, or array of strings and arrays: outer AND, inner OR).
 * `attributes` collects the attributes it names, for the filterable check.
 */
export function compileFilter(filter: unknown, attributes = new Set<string>()): (d: Doc) => boolean {
  if (filter === undefined || filter === null) return () => true;
  if (typeof filter === "string") return compileExpression(filter, attributes);
  if (Array.isArray(filter)) {
    const parts = filter.map((f) =>
      Array.isArray(f)
        ? (
            (inner) => (d: Doc) =>
              inner.some((g) => g(d))
          )(f.map((g) => compileExpression(String(g), attributes)))
        : compileExpression(String(f), attributes),
    );
    return (d) => parts.every((p) => p(d));
  }
  throw new FilterError("Invalid filter.");
}
