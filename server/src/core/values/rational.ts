/**
 * Exact rational arithmetic on safe integers.
 *
 * A rational is `n/d` in lowest terms with `d > 0`, both within ±2^53. Any
 * result that would leave that range throws `OverflowError`, so a number is
 * either exact or an error, never silently rounded.
 */

export interface Rational {
  readonly n: number;
  readonly d: number;
}

/** Thrown when an exact result does not fit in 2^53. */
export class OverflowError extends Error {
  constructor(what = "a number") {
    super(`${what} is beyond 2^53 (9,007,199,254,740,992) and cannot be counted exactly`);
  }
}

export const ZERO: Rational = { n: 0, d: 1 };
export const ONE: Rational = { n: 1, d: 1 };

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

function bgcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Builds n/d in lowest terms from big integers, checking the range. */
function fromBig(n: bigint, d: bigint): Rational {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = bgcd(n, d) || 1n;
  n /= g;
  d /= g;
  const lim = BigInt(Number.MAX_SAFE_INTEGER);
  if (n > lim || n < -lim || d > lim) throw new OverflowError();
  return { n: Number(n), d: Number(d) };
}

/** n/d in lowest terms; `d` must not be 0. */
export function rat(n: number, d = 1): Rational {
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(d)) return fromBig(BigInt(n), BigInt(d));
  if (d < 0) {
    n = -n;
    d = -d;
  }
  if (d === 1) return { n, d };
  const g = gcd(n, d) || 1;
  return { n: n / g, d: d / g };
}

const safe = (x: number) => Number.isSafeInteger(x);

export function add(a: Rational, b: Rational): Rational {
  if (a.d === 1 && b.d === 1) {
    const s = a.n + b.n;
    if (safe(s)) return { n: s, d: 1 };
  }
  const n = a.n * b.d + b.n * a.d;
  const d = a.d * b.d;
  if (safe(a.n * b.d) && safe(b.n * a.d) && safe(n) && safe(d)) return rat(n, d);
  return fromBig(BigInt(a.n) * BigInt(b.d) + BigInt(b.n) * BigInt(a.d), BigInt(a.d) * BigInt(b.d));
}

export function neg(a: Rational): Rational {
  return { n: -a.n || 0, d: a.d };
}

export function sub(a: Rational, b: Rational): Rational {
  return add(a, neg(b));
}

export function mul(a: Rational, b: Rational): Rational {
  const n = a.n * b.n;
  const d = a.d * b.d;
  if (safe(n) && safe(d)) return d === 1 ? { n, d } : rat(n, d);
  return fromBig(BigInt(a.n) * BigInt(b.n), BigInt(a.d) * BigInt(b.d));
}

/** a / b; the caller checks that b is not zero. */
export function div(a: Rational, b: Rational): Rational {
  return mul(a, { n: b.d * Math.sign(b.n), d: Math.abs(b.n) });
}

export function floor(a: Rational): Rational {
  return { n: Math.floor(a.n / a.d), d: 1 };
}

export function ceil(a: Rational): Rational {
  return { n: Math.ceil(a.n / a.d), d: 1 };
}

/** Python's `%`: the result takes the divisor's sign. */
export function mod(a: Rational, b: Rational): Rational {
  return sub(a, mul(b, floorDiv(a, b)));
}

function floorDiv(a: Rational, b: Rational): Rational {
  const q = fromBig(BigInt(a.n) * BigInt(b.d), BigInt(a.d) * BigInt(b.n));
  return floor(q);
}

/** Rounds halves to the even neighbour, as Python's `round`. */
export function roundHalfEven(a: Rational): Rational {
  const f = floor(a);
  const frac = sub(a, f);
  const c = cmp(frac, { n: 1, d: 2 });
  if (c < 0) return f;
  if (c > 0) return add(f, ONE);
  return f.n % 2 === 0 ? f : add(f, ONE);
}

export function cmp(a: Rational, b: Rational): number {
  if (a.d === 1 && b.d === 1) return Math.sign(a.n - b.n);
  const l = BigInt(a.n) * BigInt(b.d);
  const r = BigInt(b.n) * BigInt(a.d);
  return l < r ? -1 : l > r ? 1 : 0;
}

export function isInteger(a: Rational): boolean {
  return a.d === 1;
}

/** The whole numbers 0 to 1023, shared (rationals are never changed): most literals are one of them. */
const SMALL: readonly Rational[] = Array.from({ length: 1024 }, (_, n) => ({ n, d: 1 }));

/** Parses a literal: `64`, `0.5`, `1.5G`, `20MB`, `512KiB`. Exact. */
export function parseLiteral(text: string): Rational {
  // Fast path: digits with at most one decimal point inside them (`64`, `0.25`), so few that their value is exact as a double.
  if (text.length < 16) {
    let n = 0;
    let scale = 1;
    let point = -1;
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 46 /* . */ && point < 0 && i > 0) {
        point = i;
        continue;
      }
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      if (point >= 0) scale *= 10;
    }
    if (i === text.length && i > 0 && point !== i - 1) return scale === 1 ? (n < SMALL.length ? SMALL[n] : { n, d: 1 }) : rat(n, scale);
  }
  const m = /^(\d+)(?:\.(\d+))?([A-Za-z]*)$/.exec(text);
  if (!m) return ZERO;
  const frac = m[2] ?? "";
  let value = fromBig(BigInt(m[1] + frac), 10n ** BigInt(frac.length));
  const scale = UNIT_SCALE[m[3]];
  if (scale !== undefined) value = mul(value, rat(scale));
  return value;
}

const UNIT_SCALE: Record<string, number> = {
  "": 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

/** `3`, `1/2`, or `-7/3`. */
export function formatRational(a: Rational): string {
  return a.d === 1 ? String(a.n) : `${a.n}/${a.d}`;
}

/** The value as a JS number (exact for integers; nearest double otherwise). */
export function toNumber(a: Rational): number {
  return a.n / a.d;
}
