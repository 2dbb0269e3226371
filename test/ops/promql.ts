/**
 * Just enough PromQL reading for test/ops/dashboards.test.ts: which metric names an expression selects, which
 * labels its selectors match on, and which labels it groups by. Not a PromQL parser: it walks the tokens the
 * expressions in docs/ use (selectors, ranges, functions, aggregations with by/without, binary operators).
 */
export interface PromRefs {
  /** Each selected metric with the label names its `{…}` matches on. */
  selectors: Array<{ metric: string; labels: string[] }>;
  /** Labels named in by (…), without (…), on (…), ignoring (…), group_left/right (…). */
  grouping: string[];
}

const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** Grafana's variables: a range for the interval ones, a match-anything regex for the others (they sit in strings). */
export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{?(\w+)(?::\w+)?\}?/g, (_m, name: string) => (name.startsWith('__') && name.endsWith('interval') ? '5m' : '.*'));
}

export function promRefs(source: string): PromRefs {
  const expr = substituteGrafanaVariables(source);
  const selectors: PromRefs['selectors'] = [];
  const grouping: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < expr.length && /\s/.test(expr[i]!)) i++;
  };
  const skipString = () => {
    const quote = expr[i]!;
    for (i++; i < expr.length && expr[i] !== quote; i++) if (expr[i] === '\\') i++;
    i++;
  };
  const identifier = () => {
    const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i))!;
    i += m[0].length;
    return m[0];
  };
  /** `(a, b)` after a grouping keyword. */
  const labelList = () => {
    i++; // (
    for (;;) {
      skipSpace();
      if (expr[i] === ')') return void i++;
      if (expr[i] === ',') {
        i++;
        continue;
      }
      grouping.push(identifier());
    }
  };
  /** `{label op "value", …}`: the label names. */
  const matchers = (): string[] => {
    const names: string[] = [];
    i++; // {
    for (;;) {
      skipSpace();
      if (expr[i] === '}') {
        i++;
        return names;
      }
      if (expr[i] === ',') {
        i++;
        continue;
      }
      names.push(identifier());
      skipSpace();
      i += /^(=~|!~|!=|=)/.exec(expr.slice(i))![0].length;
      skipSpace();
      skipString();
    }
  };

  while (i < expr.length) {
    skipSpace();
    const c = expr[i];
    if (c === undefined) break;
    if (c === '"' || c === "'" || c === '`') skipString();
    else if (c === '[') i = expr.indexOf(']', i) + 1;
    else if (c === '{') selectors.push({ metric: '', labels: matchers() });
    else if (/[0-9.]/.test(c)) i += /^[0-9.]+(e[+-]?[0-9]+)?[smhdwy]*/i.exec(expr.slice(i))![0].length;
    else if (/[a-zA-Z_:]/.test(c)) {
      const name = identifier();
      skipSpace();
      if (GROUPING.has(name)) {
        if (expr[i] === '(') labelList();
      } else if (expr[i] === '(' || /^(by|without)\b/.test(expr.slice(i)) || KEYWORDS.has(name.toLowerCase())) {
        // A function or an aggregation (its arguments or `by (…)` follow), or an operator keyword.
      } else {
        selectors.push({ metric: name, labels: expr[i] === '{' ? matchers() : [] });
      }
    } else i++;
  }
  return { selectors, grouping };
}
