// Stack traces cdktf captures for every token it makes, not captured while synthesizing.

type Capture = ErrorConstructor["captureStackTrace"];

/**
 * Runs `work` while V8 captures no stack trace on anything but errors. cdktf captures one, every
 * frame, for every token it makes (`captureStackTrace` in cdktf/lib/tokens/private/stack-trace.js:
 * `Error.captureStackTrace` on a plain object `{ stack: "" }`, read at once) and only ever shows it
 * in the message of a token that fails to resolve. Capturing and formatting them was a fifth of a
 * synthesis's time (`node --cpu-prof`, 200 stacks: 0.9 of 4.6 s); at 1,000 stacks, the capture
 * alone, 0.8 s of 12. Such a trace is now empty; errors keep theirs; the synthesized bytes are the
 * same (__tests__/app/many-accounts.test.ts compares them with those of one App, built without this).
 */
export function withoutTokenStackTraces<R>(work: () => R): R {
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = errorStackTracesOnly(capture);
  try {
    return work();
  } finally {
    Error.captureStackTrace = capture;
  }
}

/** An `Error.captureStackTrace` that captures onto errors only. */
function errorStackTracesOnly(capture: Capture): Capture {
  return (target: object, constructorOpt?: Function) => {
    if (target instanceof Error) capture(target, constructorOpt);
  };
}
