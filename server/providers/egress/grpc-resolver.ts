/**
 * gRPC does its own name resolution, outside any Node agent. This resolver, registered
 * under its own scheme, resolves through the egress guard instead, so a gRPC channel only
 * ever connects to checked addresses, at every re-resolution too. Channels reach it
 * through grpc-js's `channelFactoryOverride` client option, which google-gax passes on.
 */
import { grpc } from 'google-gax';
import type { EgressGuard } from './egress-guard.ts';
import { isDestinationRefusal } from './refusal.ts';

const SCHEME = 'sm-egress';
/** The channel option that carries the guard to the resolver grpc-js constructs. */
const GUARD_OPTION = 'sm-egress.guard';
/** gRPC over TLS: the providers we reach this way (Google) listen on 443 only. */
const GRPC_PORTS: ReadonlySet<number> = new Set([443]);
/**
 * grpc-js asks for a new resolution each time a connection fails; answering at once would
 * make a server that drops every connection a busy loop (its own DNS resolver waits 30 s).
 */
const MIN_INTERVAL_MS = 1_000;

const { experimental } = grpc;
type GrpcUri = Parameters<typeof experimental.createResolver>[0];
type ResolverListener = Parameters<typeof experimental.createResolver>[1];
type ChannelOptions = Parameters<typeof experimental.createResolver>[2];

class GuardedResolver {
  readonly #host: string;
  readonly #port: number;
  readonly #guard: EgressGuard;
  #pending = false;
  #destroyed = false;
  #lastStart = -Infinity;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    target: GrpcUri,
    private readonly listener: ResolverListener,
    options: ChannelOptions,
  ) {
    const hostPort = experimental.splitHostPort(target.path);
    this.#host = hostPort?.host ?? '';
    this.#port = hostPort?.port ?? 443;
    this.#guard = options[GUARD_OPTION] as EgressGuard;
  }

  updateResolution(): void {
    this.#destroyed = false;
    if (this.#pending || this.#timer) return;
    const wait = this.#lastStart + MIN_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.updateResolution();
      }, wait).unref();
      return;
    }
    this.#pending = true;
    this.#lastStart = Date.now();
    this.#guard.addresses(this.#host, this.#port, GRPC_PORTS).then(
      (found) => this.#report([experimental.statusOrFromValue(found.map(({ address }) => ({ addresses: [{ host: address, port: this.#port }] })))]),
      (error: unknown) => {
        if (!isDestinationRefusal(error)) {
          // A DNS failure is UNAVAILABLE, as in grpc-js's own resolver.
          const details = `Name resolution failed for target ${this.#host}: ${(error as { code?: string }).code ?? 'error'}`;
          this.#report([experimental.statusOrFromError({ code: grpc.status.UNAVAILABLE, details, metadata: new grpc.Metadata() })]);
          return;
        }
        // A refusal is final, so not UNAVAILABLE (which would be retried). An empty list first:
        // grpc-js keeps the addresses of an earlier resolution (and their last connection
        // error) when a resolver fails after succeeding once, and the refusal must show.
        this.#report([
          experimental.statusOrFromValue([]),
          experimental.statusOrFromError({ code: grpc.status.PERMISSION_DENIED, details: (error as Error).message, metadata: new grpc.Metadata() }),
        ]);
      },
    );
  }

  destroy(): void {
    this.#destroyed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Never synchronously with `updateResolution` (the Resolver contract), never after `destroy`. */
  #report(results: Parameters<ResolverListener>[0][]): void {
    setImmediate(() => {
      this.#pending = false;
      if (!this.#destroyed) for (const result of results) this.listener(result, {}, null, '');
    });
  }

  static getDefaultAuthority(target: GrpcUri): string {
    return target.path;
  }
}

let registered = false;

/**
 * Client options that make a google-gax client's channel resolve through `guard`, and
 * ignore the environment's gRPC proxy (the destination checked must be the provider's).
 */
export function guardedGrpcOptions(guard: EgressGuard): Record<string, unknown> {
  if (!registered) {
    experimental.registerResolver(SCHEME, GuardedResolver);
    registered = true;
  }
  const channelFactory = (address: string, credentials: grpc.ChannelCredentials, options: ChannelOptions) =>
    new grpc.Channel(`${SCHEME}:${address}`, credentials, { ...options, [GUARD_OPTION]: guard });
  return {
    'grpc.channelFactoryOverride': channelFactory,
    'grpc.enable_http_proxy': 0,
    // Subchannels of its own: a closed connection's channel stops connecting with it, and never shares sockets with another's.
    'grpc.use_local_subchannel_pool': 1,
  };
}
