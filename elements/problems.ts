import { isTRPCClientError } from '@trpc/client';
import { isSecretManagerErrorCode, type SecretManagerErrorCode } from '../shared/errors.ts';
import { msg } from './messages.ts';

/** What `server/trpc/init.ts`'s error formatter puts in `error.data`. */
interface ErrorData {
  code?: string;
  httpStatus?: number;
  secretManagerCode?: string;
  title?: string;
  hint?: string;
  zodError?: { issues?: { path: string; message: string }[] };
}

export type ProblemKind = 'unreachable' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'invalid' | 'provider' | 'server';

/** A failed call, described for people: what happened and what to do about it. */
export interface Problem {
  kind: ProblemKind;
  title: string;
  /** The server's or provider's own words, when they add something. */
  message?: string;
  hint?: string;
  code?: SecretManagerErrorCode;
  /** Messages for form fields, by input path: `name`, `projectIds`, `config.url`… */
  fields: Record<string, string>;
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError' || (isTRPCClientError(error) && error.cause?.name === 'AbortError');
}

/** `apiUrl` only names the server in the "cannot reach" hint. */
export function toProblem(error: unknown, apiUrl = location.origin): Problem {
  const data: ErrorData | undefined = isTRPCClientError(error) ? (error.data as ErrorData | undefined) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (!data?.httpStatus) {
    // No tRPC error body: the request never reached the server, or something else answered.
    return { kind: 'unreachable', title: msg.unreachableTitle, hint: msg.unreachableHint(apiUrl), fields: {} };
  }
  const fields = Object.fromEntries((data.zodError?.issues ?? []).map((i) => [i.path, i.message]));
  const code = isSecretManagerErrorCode(data.secretManagerCode) ? data.secretManagerCode : undefined;
  if (code) {
    return { kind: 'provider', code, title: msg.errorTitles[code], message, hint: data.hint ?? msg.errorHints[code], fields };
  }
  switch (data.httpStatus) {
    case 400:
      return { kind: 'invalid', title: msg.invalidTitle, ...(Object.keys(fields).length === 0 && { message }), hint: msg.invalidHint, fields };
    case 401:
      return { kind: 'unauthorized', title: msg.unauthorizedTitle, message, hint: msg.unauthorizedHint, fields };
    case 403:
      return { kind: 'forbidden', title: msg.forbiddenTitle, message, hint: msg.forbiddenHint, fields };
    case 404:
      return { kind: 'not-found', title: msg.notFoundTitle, message, hint: msg.notFoundHint, fields };
    case 409:
      return { kind: 'conflict', title: msg.conflictTitle, message, fields };
    default:
      return { kind: 'server', title: msg.serverErrorTitle, hint: msg.serverErrorHint, fields };
  }
}
