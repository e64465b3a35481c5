/**
 * The CNN Lens core: a pure library (no LSP, no VS Code) that parses,
 * evaluates and measures `.cnn` documents. Offsets in, plain data out.
 */
export { analyze, Analysis } from "./analysis/analyze";
export { evaluateFile, DTYPES, METRICS, MAX_LAYER_INSTANCES, formatMetric } from "./analysis/evaluate";
export type { BudgetResult, LayerInstance, Metric, ModelAnalysis } from "./analysis/evaluate";
export type { Occurrence, Occurrences } from "./analysis/occurrences";
export { CODES } from "./diagnostics";
export type { Code, Diagnostic, RelatedInfo, Severity } from "./diagnostics";
export { LAYERS, LAYER_NAMES, findLayer, torchModule } from "./layers/layer-table";
export type { ArgSpec, Explanation, LayerKind, Shape } from "./layers/layer-table";
export { KEYWORDS } from "./syntax/tokens";
export { FUNCTIONS } from "./values/expressions";
export { parse } from "./syntax/parse";
export { releaseTokenBuffer } from "./syntax/lexer";
export * as ast from "./syntax/ast";
export { LineIndex } from "./text/line-index";
export * from "./format";
