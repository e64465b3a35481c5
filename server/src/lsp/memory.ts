/**
 * Gives memory back to the system once the server is quiet after analysing a
 * large document.
 *
 * An analysis allocates more than it keeps (the lexer's tokens, the parser's
 * temporaries), and V8 keeps the heap it grew into: the young generation stays
 * at its 2 × 16 MB, old-generation pages stay half empty, and nothing collects
 * an idle Node.js process (measured: the RSS is unchanged 30 s after the
 * analysis). With a 100,000-statement document open, the server stays at about
 * 140 MB after opening it and 150 MB after a few edits (230–330 MB while they
 * run), of which about 95 MB is what it needs.
 *
 * So, once no analysis has run for QUIET_MS and V8's heap has grown past
 * LARGE_HEAP_BYTES, the collector lets go of the lexer's kept columns and runs
 * full collections: the first frees the garbage; the next, SHRINK_AFTER_MS
 * later, compacts the old generation and may shrink the young one, and it is
 * repeated until the young one is shrunk (V8 shrinks it only when it measured a
 * low allocation rate over the last five seconds, so these must come more than
 * five seconds apart). Each takes well under 0.1 s on a main thread that has
 * nothing else to do. With them, and with glibc's malloc kept from holding the
 * freed columns (see process-env.ts), the server rests at 93–97 MB with that
 * document open, before and after edits.
 *
 * The price is paid by the next analysis: at rest, a full collection also
 * drops type feedback and optimised code tied to objects that died, and a young
 * generation shrunk to 2 × 1 MB grows back, so the first analysis after the
 * collections takes longer. Hence the threshold: heaps that keep the server
 * within its 100 MB are left as they are (a 10,000-statement analysis leaves
 * about 30 MB).
 */
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { releaseTokenBuffer } from "../core";

/** Milliseconds without an analysis before the first collection. */
export const QUIET_MS = 1500;

/** Milliseconds between one collection and the next (more than V8's five-second window). */
export const SHRINK_AFTER_MS = 6000;

/** Collections after the first, at most, until V8 shrinks the young generation. */
export const SHRINK_TRIES = 3;

/**
 * The heap (bytes committed, all spaces) past which the collections run. Node.js and the server's code
 * take about 45 MB besides the heap, so past this the server is over its 100 MB. A 100,000-statement
 * analysis leaves about 77 MB, a 40,000-statement one 56 MB, a 10,000-statement one 30 MB.
 */
export const LARGE_HEAP_BYTES = 64 * 1024 * 1024;

/** A young generation this small has been shrunk (its smallest is 2 × 1 MB). */
const SHRUNK_YOUNG_BYTES = 4 * 1024 * 1024;

/** Schedules full collections after the last analysis; every new analysis starts the wait again. */
export class IdleCollector {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private gc: (() => void) | undefined;

  /** Call after an analysis ran or one was dropped: the collections wait until the server is quiet again. */
  schedule(): void {
    this.wait(QUIET_MS, () => {
      if (getHeapStatistics().total_physical_size < LARGE_HEAP_BYTES) return;
      this.collect();
      this.shrink(SHRINK_TRIES);
    });
  }

  /**
   * Collects again until the young generation is shrunk. V8 decides that from its own
   * allocation samples: measured, the second collection shrinks it about half the time,
   * the third always.
   */
  private shrink(tries: number): void {
    this.wait(SHRINK_AFTER_MS, () => {
      this.collect();
      if (tries > 1 && youngGenerationBytes() > SHRUNK_YOUNG_BYTES) this.shrink(tries - 1);
    });
  }

  private wait(ms: number, then: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(then, ms);
    // A pending collection never keeps the process alive.
    this.timer.unref();
  }

  private collect(): void {
    releaseTokenBuffer();
    // `gc` is only installed in contexts made after --expose-gc is set: take it from a fresh one.
    if (!this.gc) {
      setFlagsFromString("--expose-gc");
      this.gc = runInNewContext("gc") as () => void;
    }
    this.gc();
  }
}

/** Bytes committed to V8's young generation (both semi-spaces). */
function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.physical_space_size ?? 0;
}
