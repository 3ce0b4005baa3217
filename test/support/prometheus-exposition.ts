import { parser } from '@prometheus-io/lezer-promql';

export interface Sample {
  name: string;
  labels: Record<string, string>;
}

/** The samples of a Prometheus text exposition (comments skipped; values not needed here). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[k!] = v!;
    }
    samples.push({ name: m[1]!, labels });
  }
  return samples;
}

export interface Selector {
  /** The selector as written, for messages. */
  text: string;
  metric: string;
  /** `label="value"` matchers: the value must be one the stack really emits. */
  equals: Record<string, string>;
  /** Labels matched another way (`!=`, `=~`, `!~`): only the label's existence is checked. */
  otherLabels: string[];
}

/** Every series selector in a PromQL expression, read by Prometheus's own PromQL grammar. */
export function selectorsOf(expr: string): Selector[] {
  const selectors: Selector[] = [];
  const tree = parser.parse(expr);
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) throw new Error(`not valid PromQL at ${cursor.from}: ${expr}`);
    if (cursor.name !== 'VectorSelector') continue;
    const node = cursor.node;
    const text = expr.slice(node.from, node.to);
    const id = node.getChild('Identifier');
    if (!id) throw new Error(`a selector without a metric name: ${text}`);
    const selector: Selector = { text, metric: expr.slice(id.from, id.to), equals: {}, otherLabels: [] };
    for (const matcher of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
      const label = matcher.getChild('LabelName')!;
      const op = matcher.getChild('MatchOp')!;
      const value = matcher.getChild('StringLiteral')!;
      const name = expr.slice(label.from, label.to);
      if (expr.slice(op.from, op.to) === '=')
        selector.equals[name] = JSON.parse(expr.slice(value.from, value.to));
      else selector.otherLabels.push(name);
    }
    selectors.push(selector);
  } while (cursor.next());
  return selectors;
}

/** Why no scraped sample satisfies a selector, or undefined when one does. */
export function unmatched(selector: Selector, samples: Sample[]): string | undefined {
  const named = samples.filter((s) => s.name === selector.metric);
  if (named.length === 0) return `${selector.text}: no metric named ${selector.metric} is exported`;
  const hit = named.some(
    (s) =>
      Object.entries(selector.equals).every(([k, v]) => s.labels[k] === v) &&
      selector.otherLabels.every((k) => k in s.labels),
  );
  return hit ? undefined : `${selector.text}: ${selector.metric} is exported, but never with these labels`;
}
