/**
 * How numbers, shapes and sizes are written for people: exact with thousands
 * separators (`73,856`) in hovers and summaries, short (`73.9K`) in hints.
 */

/** `73856` → `73,856`. Exact for any safe integer; decimals keep up to 3 places. */
export function formatExact(n: number): string {
  if (!Number.isInteger(n)) {
    const [i, f] = n.toFixed(3).replace(/\.?0+$/, "").split(".");
    return formatExact(Number(i)) + (f ? "." + f : "");
  }
  const s = Math.abs(n).toString();
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ",";
    out += s[i];
  }
  return n < 0 ? "-" + out : out;
}

const SHORT_UNITS = ["", "K", "M", "G", "T", "P"];

/** `73856` → `73.9K`, `138357544` → `138.4M`, `512` → `512`. */
export function formatShort(n: number, digits = 1): string {
  const sign = n < 0 ? "-" : "";
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1000 && u < SHORT_UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  let text = u === 0 ? String(Math.round(v * 1000) / 1000) : v.toFixed(digits);
  // Rounding can carry into the next unit: 999,960 is 1.0M, not 1000.0K.
  if (u > 0 && Number(text) >= 1000 && u < SHORT_UNITS.length - 1) {
    u++;
    text = (v / 1000).toFixed(digits);
  }
  if (u > 0) text = text.replace(/\.0+$/, "");
  return sign + text + SHORT_UNITS[u];
}

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"];

/** Bytes in decimal units: `553,430,176` → `553.4 MB`. */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1000 && u < BYTE_UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  const text = u === 0 ? String(Math.round(v * 10) / 10) : v.toFixed(1).replace(/\.0$/, "");
  return `${text} ${BYTE_UNITS[u]}`;
}

/** A shape without the batch dimension: `[128, 56, 56]` → `128×56×56`. */
export function formatShape(shape: readonly number[] | null | undefined, sep = "×"): string {
  if (!shape) return "?";
  return shape.join(sep);
}

/** A share of a whole: `0.2345` → `23.5%`. */
export function formatPercent(part: number, whole: number): string {
  if (whole === 0) return "0%";
  const p = (100 * part) / whole;
  // Two significant digits below 10%, without trailing zeros: 0.5%, 0.07%, 0.0005%.
  const text = p >= 10 || p === 0 ? p.toFixed(1) : p.toPrecision(2);
  return (text.includes(".") ? text.replace(/\.?0+$/, "") : text) + "%";
}
