// Work spread over worker threads while the caller stays synchronous: `synthesize()` is a plain
// function (cdktf's `app.synth()` and the CLI's exit code depend on that), so the calling thread
// takes items too, then waits on a shared counter (Atomics.wait) for the workers and takes their
// results from their ports (receiveMessageOnPort), in item order.
//
// A worker runs `script` (the module that calls `answerWorkerPart` at load time). A script the
// runtime cannot load in a thread (TypeScript under jest, which transforms files only in its own
// module registry) means one thread: see `canRunInWorker`.
import { MessageChannel, MessagePort, Worker, isMainThread, receiveMessageOnPort, workerData } from "worker_threads";

/** What a worker gets: its tag (which work), the shared input, the counters, and where to answer. */
interface WorkerInput<T> {
  readonly tag: string;
  readonly input: T;
  readonly count: number;
  readonly thread: number;
  readonly port: MessagePort;
  /** [0]: the next item to take; [thread]: 1 once that thread has answered. */
  readonly counters: Int32Array;
}

/** What a worker answers: its items' results by index, or the error it threw (message and stack). */
type WorkerAnswer<R> =
  | { readonly ok: true; readonly results: ReadonlyArray<readonly [number, R]> }
  | { readonly ok: false; readonly message: string; readonly stack?: string };

/** Takes items (`Atomics.add` on the shared counter) until none is left; this thread's results by index. */
function takeItems<T, R>(
  input: T,
  count: number,
  thread: number,
  counters: Int32Array,
  work: Work<T, R>,
  done?: () => void,
): Array<[number, R]> {
  const results: Array<[number, R]> = [];
  for (let i = Atomics.add(counters, 0, 1); i < count; i = Atomics.add(counters, 0, 1)) {
    results.push([i, work(input, i, thread)]);
    done?.();
  }
  return results;
}

/** The work on item `index` of `input`, in thread `thread` (0: the calling thread). */
export type Work<T, R> = (input: T, index: number, thread: number) => R;

/**
 * Whether `script` can be a worker's entry here: JavaScript always; TypeScript only when a
 * require hook for `.ts` is registered (tsx's `-r tsx/cjs`, which workers inherit with execArgv).
 */
export function canRunInWorker(script: string): boolean {
  if (script.endsWith(".js") || script.endsWith(".cjs")) return true;
  const extensions = (require as unknown as { extensions?: Record<string, unknown> }).extensions;
  return script.endsWith(".ts") && typeof extensions?.[".ts"] === "function";
}

/**
 * Runs `work` on items 0..count-1 of `input` on `threads` threads: this one and workers of
 * `script`, each taking the next item from a shared counter (so a worker that starts late, or a
 * slow item, does not hold the others up). Returns the results in item order. A worker's error
 * is thrown here, with its message, after every worker has answered.
 */
export function runItems<T, R>(
  script: string,
  tag: string,
  input: T,
  count: number,
  threads: number,
  work: Work<T, R>,
  progress?: (taken: number, count: number) => void,
): ItemResults<R> {
  const counters = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, threads)));
  const ports = Array.from({ length: Math.max(0, Math.min(threads, count) - 1) }, (_, i) => {
    const { port1, port2 } = new MessageChannel();
    const data: WorkerInput<T> = { tag, input, count, thread: i + 1, port: port2, counters };
    new Worker(script, { workerData: data, transferList: [port2] }).unref();
    return port1;
  });
  const results: R[] = new Array(count);
  const busy = new Set<number>();
  let failure: unknown;
  try {
    // After each item of this thread: how many every thread has taken so far (the shared counter).
    const taken = progress && (() => progress(Math.min(Atomics.load(counters, 0), count), count));
    for (const [i, r] of takeItems(input, count, 0, counters, work, taken)) {
      results[i] = r;
      busy.add(0);
    }
  } catch (error) {
    failure = error;
    Atomics.store(counters, 0, count); // the workers take nothing more
  }
  ports.forEach((port, i) => {
    const thread = i + 1;
    while (Atomics.load(counters, thread) === 0) Atomics.wait(counters, thread, 0);
    const message = receiveMessageOnPort(port);
    port.close();
    const answer = message?.message as WorkerAnswer<R> | undefined;
    if (!answer) failure ??= new Error(`worker ${thread} of ${tag} ended without an answer`);
    else if (!answer.ok) failure ??= Object.assign(new Error(answer.message), answer.stack ? { stack: answer.stack } : {});
    else
      for (const [index, r] of answer.results) {
        results[index] = r;
        busy.add(thread);
      }
  });
  if (failure !== undefined) throw failure;
  return { results, threads: busy.size };
}

/** The results of {@link runItems}, in item order, and how many threads took at least one item. */
export interface ItemResults<R> {
  readonly results: R[];
  readonly threads: number;
}

/**
 * In a worker started by {@link runItems} for `tag`: takes items and answers (also when `work`
 * throws). Anywhere else: does nothing. Call it at the top level of the worker's script.
 */
export function answerWorkerPart<T, R>(tag: string, work: Work<T, R>): void {
  if (isMainThread) return;
  const data = workerData as WorkerInput<T> | undefined;
  if (!data || data.tag !== tag) return;
  let answer: WorkerAnswer<R>;
  try {
    answer = { ok: true, results: takeItems(data.input, data.count, data.thread, data.counters, work) };
  } catch (error) {
    Atomics.store(data.counters, 0, data.count);
    answer = {
      ok: false,
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    };
  }
  data.port.postMessage(answer);
  data.port.close();
  Atomics.store(data.counters, data.thread, 1);
  Atomics.notify(data.counters, data.thread);
}

/** Whether this thread is a worker of {@link runItems} (entry scripts then skip their own work). */
export function inWorkerPart(): boolean {
  return !isMainThread && typeof (workerData as WorkerInput<unknown> | undefined)?.tag === "string";
}
