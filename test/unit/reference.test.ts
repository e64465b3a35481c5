/**
 * The reference networks in `examples/` against real PyTorch.
 *
 * `test/fixtures/pytorch-reference.json` holds, for each network, what PyTorch
 * 1.13 / torchvision 0.14 measured: input and output shapes, learnable
 * parameters, buffers (BatchNorm running statistics), MACs, and every leaf
 * module in the order it ran. For each key, `examples/<key>.cnn` must analyse
 * without errors to exactly those numbers, layer by layer.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { analyze, findLayer, torchModule, LayerInstance, Shape } from "../../server/src/core";

/** The repository root: this file runs from out/test/unit/. */
const ROOT = path.resolve(__dirname, "../../..");
const FIXTURE = path.join(ROOT, "test/fixtures/pytorch-reference.json");
/** The shared original the fixture was copied from, next to the checkout. */
const SHARED = path.resolve(ROOT, "../shared/reference/pytorch-reference.json");

/** One leaf module as PyTorch ran it; shapes have no batch dimension, MACs are per sample. */
interface ReferenceLayer {
  type: string;
  out: number[];
  params: number;
  macs: number;
}

interface ReferenceModel {
  input: number[];
  output: number[];
  params: number;
  buffers: number;
  macs: number;
  layers: ReferenceLayer[];
}

const REFERENCE: Record<string, ReferenceModel> = JSON.parse(fs.readFileSync(FIXTURE, "utf8"));

/**
 * torchvision subclasses that are the plain PyTorch module under another name:
 * the video ResNets build their 3x3x3 convolutions as `Conv3DSimple(nn.Conv3d)`.
 */
const TORCH_SUBCLASSES: Record<string, string> = { Conv3DSimple: "Conv3d" };

const shape = (s: readonly number[] | null) => (s ? s.join("x") : "?");

/** The PyTorch module our layer instance mirrors, e.g. `Conv2d` or `BatchNorm1d`. */
function torchTypeOf(layer: LayerInstance): string {
  const kind = findLayer(layer.kind);
  if (!kind || !layer.input) return `?${layer.kind}`;
  return torchModule(kind, layer.input as Shape);
}

const describeReference = (l: ReferenceLayer) => `${l.type} ${shape(l.out)}, ${l.params} params, ${l.macs} MACs`;
const describeOurs = (l: LayerInstance) => `${l.label} (${torchTypeOf(l)}) ${shape(l.output)}, ${l.params} params, ${l.macs} MACs`;

function matches(ref: ReferenceLayer, ours: LayerInstance): boolean {
  return (
    (TORCH_SUBCLASSES[ref.type] ?? ref.type) === torchTypeOf(ours) &&
    shape(ref.out) === shape(ours.output) &&
    ref.params === ours.params &&
    ref.macs === ours.macs
  );
}

/**
 * Aligns our layer instances with PyTorch's modules in order. Each reference
 * layer must be matched by one of our instances; ours skipped on the way may
 * only be free (no parameters, no MACs), since they stand for torchvision's
 * functional operations (torch.flatten, F.avg_pool2d, channel shuffle, chunk),
 * which are not modules. Returns the skipped instances, or throws at the first
 * place where the two lists part.
 */
function alignLayers(key: string, reference: ReferenceLayer[], ours: LayerInstance[]): LayerInstance[] {
  const skipped: LayerInstance[] = [];
  let j = 0;
  const skipFree = (where: string) => {
    const layer = ours[j];
    if (layer.params !== 0 || layer.macs !== 0) {
      assert.fail(`${key}: ${where}, our layer #${j} ${describeOurs(layer)} does not match, and it cannot be skipped because it has parameters or MACs`);
    }
    skipped.push(layer);
    j++;
  };
  reference.forEach((ref, i) => {
    while (j < ours.length && !matches(ref, ours[j])) {
      skipFree(`at PyTorch layer #${i} ${describeReference(ref)}`);
    }
    if (j === ours.length) {
      const previous = i > 0 ? `; PyTorch layer #${i - 1} (${describeReference(reference[i - 1])}) was the last matched` : "";
      assert.fail(`${key}: PyTorch layer #${i} ${describeReference(ref)} has no counterpart among our ${ours.length} layers${previous}`);
    }
    j++;
  });
  while (j < ours.length) skipFree(`after the last PyTorch layer #${reference.length - 1}`);
  return skipped;
}

/** `flatten ×2, slice ×4`: how many of each kind. */
function countKinds(layers: LayerInstance[]): string {
  const counts = new Map<string, number>();
  for (const l of layers) counts.set(l.kind, (counts.get(l.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${kind} ×${n}`).join(", ") || "none";
}

test("the fixture is a byte-for-byte copy of the shared reference", (t) => {
  if (!fs.existsSync(SHARED)) {
    t.skip(`${SHARED} is not there to compare with`);
    return;
  }
  assert.ok(fs.readFileSync(FIXTURE).equals(fs.readFileSync(SHARED)), `${FIXTURE} differs from ${SHARED}`);
});

for (const [key, ref] of Object.entries(REFERENCE)) {
  test(`examples/${key}.cnn equals PyTorch`, (t) => {
    const file = path.join(ROOT, "examples", `${key}.cnn`);
    assert.ok(fs.existsSync(file), `${key}: examples/${key}.cnn does not exist`);
    const analysis = analyze(fs.readFileSync(file, "utf8"));

    const errors = analysis.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(
      errors.map((d) => `${d.code} at offset ${d.start}: ${d.message}`),
      [],
      `${key}: the example has errors`,
    );
    assert.equal(analysis.models.length, 1, `${key}: expected exactly one model, found ${analysis.models.length}`);
    const model = analysis.models[0];
    assert.equal(model.layersTruncated, false, `${key}: a repeat was multiplied out, so not every layer is listed`);

    for (const budget of model.budgets) {
      assert.ok(budget.ok, `${key}: budget ${budget.metric} ${budget.strict ? "<" : "<="} ${budget.limit} is not met: ${budget.value}`);
    }

    assert.deepEqual(
      { input: model.input, output: model.output, params: model.params, buffers: model.nonLearnable, macs: model.macs },
      { input: ref.input, output: ref.output, params: ref.params, buffers: ref.buffers, macs: ref.macs },
      `${key}: model totals (buffers = our non-learnable parameters)`,
    );

    const ours = model.layers.filter((l) => !l.aux);
    const skipped = alignLayers(key, ref.layers, ours);
    t.diagnostic(`${key}: ${ref.layers.length} PyTorch layers matched; ${skipped.length} free layers of ours skipped (${countKinds(skipped)})`);
  });
}
