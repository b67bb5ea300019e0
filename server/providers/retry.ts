/**
 * The timeout and retry policy every provider adapter shares: one overall budget per
 * operation (all attempts and the pauses between them included), a few more attempts
 * for transient failures with bounded exponential backoff and jitter, and no retry for
 * anything else — a 4xx answer will not change by asking again. The caller may stop an
 * operation sooner with its own signal (a resolve call that failed or ran out of time).
 */
import { untilAborted } from '../abortable.ts';

/** The moment an operation's budget runs out, shared by every call the operation makes. */
export class Deadline {
  readonly expiresAt: number;
  /** The caller's: once it aborts, the operation stops at once, its request aborted, with the signal's reason. */
  readonly signal: AbortSignal | undefined;

  constructor(
    readonly budgetMs: number,
    options: { signal?: AbortSignal | undefined; expiresAt?: number } = {},
  ) {
    this.expiresAt = options.expiresAt ?? Date.now() + budgetMs;
    this.signal = options.signal;
  }

  remainingMs(): number {
    return Math.max(0, this.expiresAt - Date.now());
  }

  /**
   * The same budget without the caller's signal, for work other callers share (a login,
   * a token renewal): one caller leaving must not fail it for the others.
   */
  shared(): Deadline {
    return new Deadline(this.budgetMs, { expiresAt: this.expiresAt });
  }
}

/** Thrown when the budget ran out; each adapter maps it to CONNECTION_FAILED in its own words. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';

  constructor(readonly budgetMs: number) {
    super(`No answer within ${budgetMs} ms`);
  }
}

export interface Attempt {
  /** 1 for the first attempt. */
  number: number;
  /** What is left of the budget: pass it to the SDK as its own request timeout. */
  remainingMs: number;
  /** Aborted when the budget runs out or the caller's signal aborts, for SDKs that accept a signal. */
  signal: AbortSignal;
}

export interface RetryPolicy {
  deadline: Deadline;
  /** Whether another attempt may succeed (provider-specific: 5xx, 429, connection reset…). */
  isTransient: (error: unknown) => boolean;
  /** Attempts in all, the first included. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `operation` until it succeeds, fails for good, or the deadline passes (then it
 * throws DeadlineExceededError even if the SDK is still waiting) or the caller's signal
 * aborts (then it throws the signal's reason, likewise).
 */
export async function withRetry<T>(operation: (attempt: Attempt) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const { deadline, isTransient, attempts = 3, baseDelayMs = 100, maxDelayMs = 1_000 } = policy;
  for (let number = 1; ; number++) {
    try {
      return await withinDeadline(deadline, (signal, remainingMs) => operation({ number, remainingMs, signal }));
    } catch (error) {
      if (error instanceof DeadlineExceededError || deadline.signal?.aborted || number >= attempts || !isTransient(error)) throw error;
      const pause = backoffMs(number, baseDelayMs, maxDelayMs);
      // A pause that outlasts the budget would only turn this failure into a timeout.
      if (pause >= deadline.remainingMs()) throw error;
      await untilAborted(new Promise((resolve) => setTimeout(resolve, pause)), deadline.signal);
    }
  }
}

/** Exponential, capped, with "equal jitter" so that clients failing together spread out. */
function backoffMs(failedAttempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (failedAttempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

async function withinDeadline<T>(deadline: Deadline, run: (signal: AbortSignal, remainingMs: number) => Promise<T>): Promise<T> {
  deadline.signal?.throwIfAborted();
  const remainingMs = deadline.remainingMs();
  if (remainingMs <= 0) throw new DeadlineExceededError(deadline.budgetMs);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let leave: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    const stop = (reason: unknown) => {
      controller.abort(reason);
      reject(reason);
    };
    timer = setTimeout(() => stop(new DeadlineExceededError(deadline.budgetMs)), remainingMs);
    const caller = deadline.signal;
    if (caller) {
      leave = () => stop(caller.reason);
      caller.addEventListener('abort', leave, { once: true });
    }
  });
  try {
    return await Promise.race([run(controller.signal, remainingMs), stopped]);
  } finally {
    clearTimeout(timer);
    if (leave) deadline.signal?.removeEventListener('abort', leave);
  }
}

/** 429 and 5xx may pass on a second try; 501 (not implemented) will not. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

/** Node network error codes of a connection that broke mid-request (not of one never made). */
const transientNetworkCodes = new Set(['ECONNRESET', 'EPIPE']);

export function isTransientNetworkCode(code: unknown): boolean {
  return typeof code === 'string' && transientNetworkCodes.has(code);
}
