/** The exit statuses of `cnn-lens`. */

/** Every file read, analysed and clean (warnings other than broken budgets allowed). */
export const CLEAN = 0;
/** A file has an error, or a model breaks one of its budgets. */
export const FAILED = 1;
/** A usage problem (unknown option or command, no files) or an I/O problem (a file that cannot be read as text). */
export const TROUBLE = 2;
