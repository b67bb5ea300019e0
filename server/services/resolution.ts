import { setMaxListeners } from 'node:events';
import { errorCodeInfo } from '../../shared/errors.ts';
import { parseProviderPath } from '../../shared/providers/index.ts';
import type { CheckSecretOutput, ReferenceResult, ResolveErrorCode, ResolveOutput } from '../../shared/secrets.ts';
import { formatSecretPath, type SecretPath } from '../../shared/secret-path.ts';
import type { CacheEntry } from '../cache/secret-cache.ts';
import { untilAborted } from '../abortable.ts';
import { AppError, SecretManagerError, withoutLocation } from '../errors.ts';
import type { ProviderClient, SecretValue } from '../providers/types.ts';
import type { AuditEvent } from './audit.ts';
import { canManage, visibleInProject } from './connection-access.ts';
import type { ConnectionHandle } from './connection-directory.ts';
import type { Actor, AdminActor, ServiceDeps } from './deps.ts';
import { mapLimit } from './map-limit.ts';
import { readCallInput, replaceInValue, type CallReference } from './resolution-input.ts';

/** Distinct paths fetched at once per resolve call: enough to hide latency, not enough to hammer a provider. */
const CONCURRENCY = 16;

export interface ResolutionContext extends Actor {
  /** The project the call acts in; undefined = the platform context (every connection). */
  projectId: string | undefined;
  /** The caller as an admin, null for engines and members: who sees where a failing connection points. */
  manager: AdminActor | null;
}

/**
 * A provider's messages say where its connection points (address, vault, account). Only
 * those who may manage the connection read that; everyone else learns what failed, not where.
 */
export function asSeenBy(context: ResolutionContext, connection: ConnectionHandle, error: unknown, operation: 'read' | 'list'): unknown {
  if (!(error instanceof SecretManagerError) || (context.manager && canManage(context.manager, connection))) return error;
  return withoutLocation(error, operation);
}

type Failure = { ok: false; code: ResolveErrorCode; message: string; hint?: string };
type Outcome = { ok: true; value: SecretValue; stale: boolean } | Failure;

class ResolutionError extends Error {
  constructor(
    readonly code: ResolveErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const transient = (e: unknown) => e instanceof SecretManagerError && (e.code === 'CONNECTION_FAILED' || e.code === 'PROVIDER_ERROR');

/**
 * Reads one path through the cache; the provider is asked only on a miss, once per
 * concurrent miss. Once `signal` aborts, this caller stops waiting; the provider request
 * is aborted only if no other caller still waits for it.
 */
export async function readThroughCache(
  deps: Pick<ServiceDeps, 'cache' | 'clients' | 'metrics' | 'logger'>,
  connection: ConnectionHandle,
  rawPath: string,
  signal?: AbortSignal,
): Promise<{ value: SecretValue; stale: boolean }> {
  const parsed = parseProviderPath(connection.provider, rawPath);
  if (!parsed.ok) throw new SecretManagerError('INVALID_PATH', parsed.message);
  const { scope, kind, key } = valueEntry(connection, parsed.path);
  const loaded = await deps.cache.getOrLoad(
    scope,
    kind,
    key,
    (load) => providerCall(deps, connection, 'read', (client, stop) => client.read(parsed.path, stop), load),
    transient,
    signal,
  );
  return { value: loaded.data, stale: loaded.source === 'stale' };
}

/** The cache entry of a connection's path: the connection's version is in it, so an edit invalidates it. */
function valueEntry(connection: ConnectionHandle, path: SecretPath): CacheEntry {
  return {
    scope: { platformId: connection.platformId, connectionId: connection.id, stamp: String(connection.updatedAt.getTime()) },
    kind: 'value',
    key: formatSecretPath(path),
  };
}

/**
 * One call to a connection's provider, counted by outcome; anything untyped becomes
 * PROVIDER_ERROR. Once `signal` aborts, it fails with the signal's reason.
 */
export async function providerCall<T>(
  deps: Pick<ServiceDeps, 'clients' | 'metrics' | 'logger'>,
  connection: ConnectionHandle,
  operation: 'read' | 'list',
  work: (client: ProviderClient, signal: AbortSignal | undefined) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  try {
    const result = await work(deps.clients.get(connection), signal);
    deps.metrics.providerCalls.inc({ provider: connection.provider, operation, outcome: 'ok' });
    return result;
  } catch (e) {
    if (signal?.aborted) {
      deps.metrics.providerCalls.inc({ provider: connection.provider, operation, outcome: 'aborted' });
      throw signal.reason;
    }
    const error =
      e instanceof SecretManagerError ? e : new SecretManagerError('PROVIDER_ERROR', 'The provider failed unexpectedly.', { cause: e });
    if (!(e instanceof SecretManagerError)) deps.logger.error({ err: { name: (e as Error)?.name }, connectionId: connection.id }, `provider ${operation} failed unexpectedly`);
    deps.metrics.providerCalls.inc({ provider: connection.provider, operation, outcome: error.code });
    throw error;
  }
}

function outcomeOf(e: unknown): Failure {
  if (e instanceof SecretManagerError) return { ok: false, code: e.code, message: e.message, hint: e.hint };
  if (e instanceof ResolutionError) return { ok: false, code: e.code, message: e.message };
  throw e;
}

/** Why a call stopped waiting for its references: its deadline passed, or (onError 'throw') one of them failed. */
class CallStopped extends Error {
  override readonly name = 'CallStopped';
  constructor(readonly why: 'deadline' | 'failure') {
    super(why === 'deadline' ? 'The resolve call ran out of time.' : 'Another reference of the resolve call failed.');
  }
}

interface Settled {
  /** Undefined where a reference had not settled when the call stopped. */
  outcomes: Map<CallReference, Outcome | undefined>;
  stoppedBy: 'deadline' | { failed: CallReference } | undefined;
}

/**
 * Resolves a call's references, `CONCURRENCY` at a time, under the call's one deadline.
 * When it passes — or, with `stopOnFailure`, when one fails — nothing more is started and
 * the caller stops waiting for the rest, whose provider requests are aborted (unless
 * another call is waiting for the same read).
 */
async function resolveAll(
  deps: ServiceDeps,
  context: ResolutionContext,
  references: CallReference[],
  options: { timeoutMs: number; stopOnFailure: boolean },
): Promise<Settled> {
  const stop = new AbortController();
  // Every reference in flight waits on this signal at a few places (the call, a shared load): not a leak.
  setMaxListeners(4 * CONCURRENCY, stop.signal);
  let stoppedBy: Settled['stoppedBy'];
  const timer = setTimeout(() => {
    stoppedBy ??= 'deadline';
    stop.abort(new CallStopped('deadline'));
  }, options.timeoutMs);
  try {
    const lookup = deps.connections.lookup(context.platformId, references.flatMap((r) => (r.target ? [r.target.connectionId] : [])));
    const connections = await untilAborted(lookup, stop.signal).catch((e: unknown) => {
      if (stop.signal.aborted) return undefined;
      throw e;
    });
    const warm = connections ? await cachedValues(deps, context, connections, references, stop.signal) : undefined;
    const outcomes = await mapLimit(references, CONCURRENCY, async (reference) => {
      if (!connections || stop.signal.aborted) return undefined;
      const outcome = await resolveOne(deps, context, connections, reference, warm?.get(reference), stop.signal);
      if (outcome?.ok === false && options.stopOnFailure && !stop.signal.aborted) {
        stoppedBy = { failed: reference };
        stop.abort(new CallStopped('failure'));
      }
      return outcome;
    });
    return { outcomes: new Map(references.map((r, i) => [r, outcomes[i]])), stoppedBy };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The call's references already in the cache, read in one store round trip: a warm call
 * of 100 references costs about what one costs, not 100 reads. Each distinct entry is
 * read once; what is missing is left to `resolveOne` (through `getOrLoad`). A single
 * entry is left to it too, as it costs one round trip there and a miss would pay two.
 * Only references the context may use are read; undefined when `signal` aborted first.
 */
async function cachedValues(
  deps: ServiceDeps,
  context: ResolutionContext,
  connections: Map<string, ConnectionHandle>,
  references: CallReference[],
  signal: AbortSignal,
): Promise<Map<CallReference, SecretValue> | undefined> {
  const entries = new Map<string, { entry: CacheEntry; references: CallReference[] }>();
  for (const reference of references) {
    const connection = reference.target && connections.get(reference.target.connectionId);
    if (!connection || !visibleInProject(connection, context.projectId)) continue;
    const parsed = parseProviderPath(connection.provider, reference.target!.path);
    if (!parsed.ok) continue;
    const entry = valueEntry(connection, parsed.path);
    const id = `${connection.id}\0${entry.key}`;
    const known = entries.get(id);
    if (known) known.references.push(reference);
    else entries.set(id, { entry, references: [reference] });
  }
  if (entries.size < 2) return undefined;
  const distinct = [...entries.values()];
  const values = await deps.cache.hits<SecretValue>(distinct.map((d) => d.entry), signal).catch((e: unknown) => {
    if (signal.aborted) return undefined;
    throw e;
  });
  if (!values) return undefined;
  return new Map(distinct.flatMap((d, i) => (values[i] ? d.references.map((r) => [r, values[i]!] as const) : [])));
}

/** One reference's outcome; undefined when `signal` aborted before it settled. */
async function resolveOne(
  deps: ServiceDeps,
  context: ResolutionContext,
  connections: Map<string, ConnectionHandle>,
  { target }: CallReference,
  cached: SecretValue | undefined,
  signal: AbortSignal,
): Promise<Outcome | undefined> {
  if (!target) return outcomeOf(new ResolutionError('INVALID_PATH', 'Not a secret reference: write {{sm:<connectionId>:<path>}}.'));
  const connection = connections.get(target.connectionId);
  if (!connection || !visibleInProject(connection, context.projectId)) {
    return outcomeOf(new ResolutionError('CONNECTION_NOT_FOUND', `No secret manager connection ${target.connectionId} is available here.`));
  }
  if (cached) return { ok: true, value: cached, stale: false };
  try {
    const { value, stale } = await readThroughCache(deps, connection, target.path, signal);
    return { ok: true, value, stale };
  } catch (e) {
    if (signal.aborted) return undefined;
    return outcomeOf(asSeenBy(context, connection, e, 'read'));
  }
}

/**
 * Resolves references for an engine run, within the call's bounds and its one deadline
 * (SM_RESOLVE_TIMEOUT_MS): what has not resolved by then fails with TIMEOUT. With
 * `onError: 'throw'` the first failure fails the call, naming its reference, and stops
 * the rest at once; with `'report'` each reference says how it went. A failed lookup
 * never passes the literal reference on.
 */
export async function resolveSecrets(
  deps: ServiceDeps,
  context: ResolutionContext,
  input: { references?: string[] | undefined; value?: unknown; onError: 'throw' | 'report' },
): Promise<ResolveOutput> {
  // Fail closed: no secret is fetched for a call whose audit row could not be kept.
  deps.audit.assertAccepting();
  const bounds = deps.config.resolve;
  const call = readCallInput(input, bounds);
  const { outcomes, stoppedBy } = await resolveAll(deps, context, call.references, { timeoutMs: bounds.timeoutMs, stopOnFailure: input.onError === 'throw' });
  const timedOut: Failure = { ok: false, code: 'TIMEOUT', message: `Not resolved within the call's deadline of ${bounds.timeoutMs} ms.` };
  // Past the deadline, what had not settled failed with TIMEOUT; after another failure (onError 'throw') it was only abandoned.
  const results = new Map([...outcomes].map(([reference, outcome]) => [reference, outcome ?? (stoppedBy === 'deadline' ? timedOut : undefined)]));
  const failures = [...results].filter((entry): entry is [CallReference, Failure] => entry[1]?.ok === false);
  const abandoned = [...results.values()].filter((outcome) => outcome === undefined).length;
  const event: AuditEvent = {
    platformId: context.platformId,
    actor: context.actor,
    action: 'secrets.resolve',
    targetType: 'secrets',
    outcome: failures.length === 0 ? 'success' : 'failure',
    // References only, each bounded by its own length and their number by the call's bounds: never the text around them.
    details: {
      projectId: context.projectId ?? null,
      references: call.references.length,
      connectionIds: [...new Set(call.references.flatMap((r) => (r.target ? [r.target.connectionId] : [])))],
      paths: call.references.map((r) => r.target?.path ?? null),
      failures: failures.map(([reference, failure]) => ({ reference: reference.text, code: failure.code })),
      ...(abandoned > 0 && { abandoned }),
    },
  };
  // Queued for the next batch; throws (and so hands out nothing) if it cannot be.
  deps.audit.record(event);

  if (input.onError === 'throw' && failures.length > 0) {
    const [reference, failure] = failures.find(([r]) => typeof stoppedBy === 'object' && r === stoppedBy.failed) ?? failures[0]!;
    const unresolved = failure.code === 'TIMEOUT' ? ` (${failures.length} of ${results.size} references were not)` : '';
    const message = `${reference.text}: ${failure.message}${unresolved}`;
    if (failure.code === 'CONNECTION_NOT_FOUND') throw new AppError('NOT_FOUND', message);
    throw new SecretManagerError(failure.code, message, failure.hint ? { hint: failure.hint } : {});
  }
  const valueOf = (reference: CallReference) => {
    const outcome = results.get(reference);
    return outcome?.ok ? outcome.value.value : undefined;
  };
  const output: ResolveOutput = {};
  if (input.references) output.values = call.entries.map((reference) => valueOf(reference) ?? null);
  if (input.value !== undefined) output.value = replaceInValue(input.value, call, valueOf);
  if (input.onError === 'report') {
    // Every reference has an outcome here: only onError 'throw' abandons any.
    output.results = [...results].flatMap(([{ text: reference }, o]): ReferenceResult[] =>
      !o ? [] : o.ok ? [{ reference, ok: true, value: o.value.value, ...(o.stale && { stale: true as const }) }] : [{ reference, ok: false, code: o.code, message: o.message }],
    );
  }
  return output;
}

/** A connection the context may use (the same rule as `secretManagers.list`), or NOT_FOUND. */
export async function usableConnection(deps: Pick<ServiceDeps, 'connections'>, context: ResolutionContext, connectionId: string): Promise<ConnectionHandle> {
  const connection = (await deps.connections.lookup(context.platformId, [connectionId])).get(connectionId);
  if (!connection || !visibleInProject(connection, context.projectId)) {
    throw new AppError('NOT_FOUND', `No secret manager connection ${connectionId} is available here.`);
  }
  return connection;
}

/** Whether a path resolves, without the value: what the key picker shows a user. */
export async function checkSecret(
  deps: ServiceDeps,
  context: ResolutionContext,
  input: { connectionId: string; path: string },
): Promise<CheckSecretOutput> {
  const connection = await usableConnection(deps, context, input.connectionId);
  try {
    const { value } = await readThroughCache(deps, connection, input.path);
    return { exists: true, ...(value.version !== undefined && { version: value.version }), ...(value.keys && { keys: value.keys }) };
  } catch (e) {
    const o = outcomeOf(asSeenBy(context, connection, e, 'read'));
    if (o.ok) throw e;
    return { exists: false, code: o.code, message: o.message, hint: o.hint ?? errorCodeInfo[o.code as keyof typeof errorCodeInfo]?.hint };
  }
}

