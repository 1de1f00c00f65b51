// Stack traces cdktf captures and reads for every token it makes, left unformatted while synthesizing.
/**
 * Runs `work` while V8 skips formatting the stack traces cdktf captures for every token it makes
 * (`captureStackTrace` in cdktf/lib/tokens/private/stack-trace.js: `Error.captureStackTrace` on a
 * plain object, every frame, only ever read in the message of a token that fails to resolve). The
 * formatting was a fifth of a synthesis's time (`node --cpu-prof`, 200 stacks: 0.9 of 4.6 s).
 * Errors (instances of Error) keep V8's own format; the synthesized bytes are the same.
 */
export function withoutTokenStackTraces<R>(work: () => R): R {
  const before = Error.prepareStackTrace;
  Error.prepareStackTrace = errorStackTracesOnly(before);
  try {
    return work();
  } finally {
    Error.prepareStackTrace = before;
  }
}

/**
 * A `prepareStackTrace` that formats the stack traces of errors (with `before`, else as V8 does)
 * and leaves those captured on anything else empty (see {@link withoutTokenStackTraces}; the tests'
 * setup uses it too, where jest's source maps made each of those traces a source-map lookup).
 */
export function errorStackTracesOnly(before: ErrorConstructor["prepareStackTrace"]): ErrorConstructor["prepareStackTrace"] {
  return (target: unknown, frames: NodeJS.CallSite[]) => {
    if (!(target instanceof Error)) return "";
    if (before) return before(target, frames);
    return [String(target), ...frames.map((frame) => `    at ${frame}`)].join("\n");
  };
}
