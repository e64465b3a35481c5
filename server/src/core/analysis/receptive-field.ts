/**
 * Receptive field and effective stride, per spatial dimension, in input pixels.
 *
 * The receptive field is the input window one output element sees; the
 * effective stride ("jump") is the input step between neighbouring outputs.
 * For a window of size k, dilation d and stride s:
 *   rf' = rf + d·(k−1)·jump,  jump' = jump·s.
 * Transposed convolutions and upsampling divide the jump (it may become a
 * fraction); a transposed window sees ⌈(d·(k−1)+1)/s⌉ inputs. Global pools,
 * flatten and dense see the whole input. Where branches join, the widest
 * branch wins.
 */
import { Shape, SlidingWindow, Window } from "../layers/layer-table";

export interface Field {
  /** Receptive field per spatial dimension of the model input. */
  rf: number[];
  /** Effective stride per spatial dimension. */
  jump: number[];
}

/** The field of the model input: one pixel, step one. */
export function inputField(shape: Shape): Field {
  const rank = Math.max(0, shape.length - 1);
  return { rf: new Array(rank).fill(1), jump: new Array(rank).fill(1) };
}

/** The field after a layer with `window`, given its input shape. */
export function nextField(f: Field, window: Window, input: Shape): Field {
  // One function per kind of window: closures over `f` and `window` here would cost every call a context.
  switch (window.kind) {
    case "none":
      return f;
    case "sliding":
      if (window.kernel.length !== f.rf.length) return f;
      return slid(f, window);
    case "transposed":
      if (window.kernel.length !== f.rf.length) return f;
      return transposed(f, window);
    case "resize":
      if (window.factor.length !== f.jump.length) return f;
      return resized(f, window);
    case "whole":
      // A flat input already covers everything it can see.
      if (input.length <= 1 || input.length - 1 !== f.rf.length) return f;
      return whole(f, input);
  }
}

/** The receptive field in dimension `i` after a sliding window. */
function slidRf(f: Field, w: SlidingWindow, i: number): number {
  return f.rf[i] + w.dilation[i] * (w.kernel[i] - 1) * f.jump[i];
}

/** The field after a sliding window: arrays are made only for what changes, as most layers leave the stride alone and 1×1 windows the receptive field. */
function slid(f: Field, w: SlidingWindow): Field {
  const n = f.rf.length;
  let sameRf = true;
  let sameJump = true;
  for (let i = 0; i < n; i++) {
    if (slidRf(f, w, i) !== f.rf[i]) sameRf = false;
    if (f.jump[i] * w.stride[i] !== f.jump[i]) sameJump = false;
  }
  if (sameRf && sameJump) return f;
  let rf = f.rf;
  let jump = f.jump;
  if (!sameRf) {
    rf = new Array<number>(n);
    for (let i = 0; i < n; i++) rf[i] = slidRf(f, w, i);
  }
  if (!sameJump) {
    jump = new Array<number>(n);
    for (let i = 0; i < n; i++) jump[i] = f.jump[i] * w.stride[i];
  }
  return { rf, jump };
}

function transposed(f: Field, w: Window & { kind: "transposed" }): Field {
  return sharing(
    f,
    f.rf.map((r, i) => r + (Math.ceil((w.dilation[i] * (w.kernel[i] - 1) + 1) / w.stride[i]) - 1) * f.jump[i]),
    f.jump.map((j, i) => j / w.stride[i]),
  );
}

function resized(f: Field, w: Window & { kind: "resize" }): Field {
  return sharing(f, f.rf, f.jump.map((j, i) => j / w.factor[i]));
}

function whole(f: Field, input: Shape): Field {
  const sizes = input.slice(1);
  return { rf: f.rf.map((r, i) => r + (sizes[i] - 1) * f.jump[i]), jump: f.jump.map((j, i) => j * sizes[i]) };
}

/**
 * The field `rf`, `jump`, sharing the arrays of `f` (or `f` itself) where they are equal: most layers leave the
 * stride alone, and 1×1 windows the receptive field, and every layer instance keeps its field.
 */
function sharing(f: Field, rf: number[], jump: number[]): Field {
  const sameRf = sameNumbers(rf, f.rf);
  const sameJump = sameNumbers(jump, f.jump);
  if (sameRf && sameJump) return f;
  return { rf: sameRf ? f.rf : rf, jump: sameJump ? f.jump : jump };
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Where branches join: the widest field, per dimension (sharing the first branch's arrays where they are the widest). */
export function joinFields(fields: readonly (Field | null)[]): Field | null {
  if (fields.length === 0) return null;
  for (let k = 0; k < fields.length; k++) if (fields[k] === null) return null;
  const known = fields as readonly Field[];
  const rank = known[0].rf.length;
  for (let k = 1; k < known.length; k++) if (known[k].rf.length !== rank) return known[0];
  return sharing(known[0], widest(known, "rf"), widest(known, "jump"));
}

/** Per dimension, the largest of the fields' `rf` or `jump`. */
function widest(fields: readonly Field[], which: keyof Field): number[] {
  const n = fields[0][which].length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let k = 0; k < fields.length; k++) m = Math.max(m, fields[k][which][i]);
    out[i] = m;
  }
  return out;
}
