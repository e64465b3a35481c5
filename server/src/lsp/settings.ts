/**
 * The server's settings: which inlay hints to show. VS Code sends them under
 * the section `cnnLens` (pulled with workspace/configuration); other editors
 * may pass the same object as initializationOptions: `{ inlayHints: {...} }`,
 * or wrapped as `{ cnnLens: {...} }`, `{ settings: {...} }` (what the VS Code
 * client passes) or `{ settings: { cnnLens: {...} } }` (a pushed
 * didChangeConfiguration).
 */

export interface HintSettings {
  /** Output shape (`→ 128×56×56`). */
  shape: boolean;
  /** Parameter count (`73.9K`). */
  params: boolean;
  /** Multiply-accumulates (`231.2M MACs`). */
  macs: boolean;
  /** The model's running parameter total after the statement (`Σ 1.2M`). */
  runningTotal: boolean;
  /** Also hint statements that keep the shape and add nothing (activations, dropout). */
  shapeKeeping: boolean;
}

/** Everything the server can be told; only inlay hints have settings today. */
export interface Settings {
  inlayHints: HintSettings;
}

/** The defaults, matching package.json: shape and parameters on, the rest off. */
export const DEFAULT_SETTINGS: Settings = {
  inlayHints: { shape: true, params: true, macs: false, runningTotal: false, shapeKeeping: false },
};

/** Reads settings from whatever the client sent, falling back to the defaults field by field. */
export function readSettings(raw: unknown): Settings {
  let root = raw;
  if (isObject(root) && isObject(root.settings)) root = root.settings;
  if (isObject(root) && isObject(root.cnnLens)) root = root.cnnLens;
  const hints = isObject(root) && isObject(root.inlayHints) ? root.inlayHints : {};
  const flag = (name: keyof HintSettings) => (typeof hints[name] === "boolean" ? (hints[name] as boolean) : DEFAULT_SETTINGS.inlayHints[name]);
  return {
    inlayHints: {
      shape: flag("shape"),
      params: flag("params"),
      macs: flag("macs"),
      runningTotal: flag("runningTotal"),
      shapeKeeping: flag("shapeKeeping"),
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
