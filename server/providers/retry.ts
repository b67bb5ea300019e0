/**
 * The timeout and retry policy every provider adapter shares: one overall budget per
 * operation (all attempts and the pauses between them included), a few more attempts
 * for transient failures with bounded exponential backoff and jitter, and no retry for
 * anything else — a 4xx answer will not change by asking again.
 */

/** The moment an operation's budget runs out, shared by every call the operation makes. */
export class Deadline {
  readonly expiresAt: number;

  constructor(readonly budgetMs: number) {
    this.expiresAt = Date.now() + budgetMs;
  }

  remainingMs(): number {
    return Math.max(0, this.expiresAt - Date.now());
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
  /** Aborted when the budget runs out, for SDKs that accept a signal. */
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
 * throws DeadlineExceededError even if the SDK is still waiting).
 */
export async function withRetry<T>(operation: (attempt: Attempt) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const { deadline, isTransient, attempts = 3, baseDelayMs = 100, maxDelayMs = 1_000 } = policy;
  for (let number = 1; ; number++) {
    try {
      return await withinDeadline(deadline, (signal, remainingMs) => operation({ number, remainingMs, signal }));
    } catch (error) {
      if (error instanceof DeadlineExceededError || number >= attempts || !isTransient(error)) throw error;
      const pause = backoffMs(number, baseDelayMs, maxDelayMs);
      // A pause that outlasts the budget would only turn this failure into a timeout.
      if (pause >= deadline.remainingMs()) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** Exponential, capped, with "equal jitter" so that clients failing together spread out. */
function backoffMs(failedAttempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (failedAttempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

async function withinDeadline<T>(deadline: Deadline, run: (signal: AbortSignal, remainingMs: number) => Promise<T>): Promise<T> {
  const remainingMs = deadline.remainingMs();
  if (remainingMs <= 0) throw new DeadlineExceededError(deadline.budgetMs);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceededError(deadline.budgetMs);
      controller.abort(error);
      reject(error);
    }, remainingMs);
  });
  try {
    return await Promise.race([run(controller.signal, remainingMs), expired]);
  } finally {
    clearTimeout(timer);
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
