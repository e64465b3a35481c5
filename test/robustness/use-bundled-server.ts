/**
 * Imported first by tests that must exercise the shipped bundle: the LSP test
 * harness reads CNN_LENS_SERVER once, when it loads.
 */
process.env.CNN_LENS_SERVER ??= "dist/server.js";
