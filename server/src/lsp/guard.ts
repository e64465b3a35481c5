/**
 * The one wrapper every handler goes through: a failure inside a handler is
 * logged and answered with the handler's empty answer, never thrown at the
 * connection; a cancelled request is answered as cancelled.
 */
import { CancellationToken, LSPErrorCodes, ResponseError } from "vscode-languageserver";

/** Where failures go: the connection's console (window/logMessage) in the server. */
export interface Logger {
  error(message: string): void;
}

/**
 * For tests of this very wrapper: `CNN_LENS_FAULT=<method>` makes the named
 * handler (`textDocument/hover`, ...) throw before it runs, so the test can
 * see the failure logged and answered while the server lives on.
 */
const injectedFault = process.env.CNN_LENS_FAULT;

const cancelled = () => new ResponseError(LSPErrorCodes.RequestCancelled, "request cancelled");

/**
 * Lets `$/cancelRequest` notifications that arrived meanwhile reach their
 * tokens: one turn of the event loop, so pending input is read.
 */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Thrown by a handler that noticed its token was cancelled; answered as cancelled. */
export class Cancelled extends Error {}

/**
 * Wraps a request handler. `empty` is the answer on failure (null, []); a
 * request whose token is cancelled, before or after the work, is answered
 * with the protocol's RequestCancelled error.
 */
export function guardRequest<P, R>(
  logger: Logger,
  method: string,
  empty: R,
  handler: (params: P, token: CancellationToken) => R | Promise<R>,
): (params: P, token: CancellationToken) => Promise<R | ResponseError<void>> {
  return async (params, token) => {
    try {
      if (token?.isCancellationRequested) return cancelled();
      if (injectedFault === method) throw new Error(`fault injected into ${method} (CNN_LENS_FAULT)`);
      const result = await handler(params, token);
      if (token?.isCancellationRequested) return cancelled();
      return result ?? empty;
    } catch (e) {
      if (e instanceof Cancelled) return cancelled();
      logger.error(`CNN Lens: ${method} failed: ${describe(e)}`);
      return empty;
    }
  };
}

/** Wraps a notification handler: a failure is logged, never thrown. */
export function guardNotification<P>(logger: Logger, method: string, handler: (params: P) => void | Promise<void>): (params: P) => Promise<void> {
  return async (params) => {
    try {
      if (injectedFault === method) throw new Error(`fault injected into ${method} (CNN_LENS_FAULT)`);
      await handler(params);
    } catch (e) {
      logger.error(`CNN Lens: ${method} failed: ${describe(e)}`);
    }
  };
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}
