/**
 * Summaries of a statement's occurrences (one per evaluation: a statement in a
 * block called three times has three). Pure: reads the core's analysis only.
 */
import { LayerInstance, Metric, Occurrence, Shape, formatBytes, formatExact, formatShort } from "../../core";

/** Occurrences that agree on what is shown, with how many there are. */
export interface Outcome {
  first: Occurrence;
  count: number;
  /** Every occurrence in the group, in order. */
  members: Occurrence[];
}

/** Groups occurrences by `key`, in order of first appearance. */
export function groupBy(occs: readonly Occurrence[], key: (o: Occurrence) => string): Outcome[] {
  const groups = new Map<string, Outcome>();
  for (const o of occs) {
    const k = key(o);
    const g = groups.get(k);
    if (g) {
      g.count++;
      g.members.push(o);
    } else groups.set(k, { first: o, count: 1, members: [o] });
  }
  return [...groups.values()];
}

/** A cheap key of what an occurrence received, gave and added: equal keys, equal numbers. */
export function outcomeKey(o: Occurrence): string {
  return `${o.model.name}|${o.input ? o.input.join(",") : "?"}>${o.output ? o.output.join(",") : "?"}|${o.params}|${o.nonLearnable}|${o.macs}|${o.auxMacs}`;
}

const sameShape = (a: Shape | null, b: Shape | null) => !!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]);

/** True when every occurrence keeps its input's shape and adds nothing (activations, dropout, identity). */
export function keepsShape(occs: readonly Occurrence[]): boolean {
  return occs.length > 0 && occs.every((o) => sameShape(o.input, o.output) && o.params === 0 && o.nonLearnable === 0 && o.macs === 0 && o.auxMacs === 0);
}

/** The layer instance a layer statement made in this occurrence, if it made one. */
export function instanceOf(o: Occurrence): LayerInstance | undefined {
  return o.endLayer > o.firstLayer ? o.model.layers[o.firstLayer] : undefined;
}

/** "calls" when some occurrence comes from a block call, "passes" when all come from repeats. */
export function runsWord(occs: readonly Occurrence[]): string {
  return occs.some((o) => o.calls.length > 0) ? "calls" : "passes";
}

/** A budget metric's value, short: bytes for memory and activations, counts otherwise. */
export function shortMetric(metric: Metric, value: number): string {
  return metric === "memory" || metric === "activations" ? formatBytes(value) : formatShort(value);
}

/** A budget metric's value, exact, with its unit: `553,430,176 bytes (553.4 MB)`, `4,089,184,256 MACs`. */
export function exactMetric(metric: Metric, value: number): string {
  switch (metric) {
    case "memory":
    case "activations":
      return `${formatExact(value)} bytes (${formatBytes(value)})`;
    case "params":
      return `${formatExact(value)} parameters`;
    case "macs":
      return `${formatExact(value)} MACs`;
    case "flops":
      return `${formatExact(value)} FLOPs`;
  }
}
