/**
 * The environment the language server is started with, by the VS Code client
 * and by the tests and benchmark that start it as the client does.
 *
 * On Linux, glibc's malloc serves an allocation of 128 KiB or more with its own
 * mmap, and gives it back to the system when it is freed; but the first time
 * such a block is freed it raises that threshold to the block's size, for good.
 * An analysis's columns (tokens, counts, running totals: typed arrays of up to a
 * few MB at 100,000 statements) are then carved out of malloc's heap instead,
 * and freeing them leaves holes that are never returned. After a few edits of a
 * 100,000-statement document the server then rests at about 150 MB, with 95 MB
 * in use. Fixing the threshold at its default keeps it at 95 MB.
 *
 * The setting is read when the process starts (GLIBC_TUNABLES), so it has to
 * come from whoever starts the server; other C libraries ignore it. Another
 * editor starting `cnn-lens-server` can set the same variable (see the README).
 */
export const MALLOC_TUNABLE = "glibc.malloc.mmap_threshold=131072";

/** `base` with MALLOC_TUNABLE added to GLIBC_TUNABLES, unless that already sets the threshold. */
export function serverEnvironment(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const tunables = base.GLIBC_TUNABLES;
  if (tunables?.includes("glibc.malloc.mmap_threshold=")) return base;
  return { ...base, GLIBC_TUNABLES: tunables ? `${tunables}:${MALLOC_TUNABLE}` : MALLOC_TUNABLE };
}
