/**
 * The two wire formats the emulator answers in: Secrets Manager's JSON 1.1 and STS's Query
 * protocol (XML), each with its own error shape.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
import { randomUUID } from 'node:crypto';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An error as a service reports it: its code (`__type` / `<Code>`), message and HTTP status. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function jsonReply(body: unknown): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(body),
  };
}

/** As Secrets Manager answers: the type in `x-amzn-ErrorType` and in the body's `__type`. */
export function jsonError(error: AwsError): Reply {
  return {
    status: error.status,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': `${error.code}:http://internal.amazon.com/coral/com.amazon.coral.service/`,
    },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`);
}

/** `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata/></ActionResponse>` */
export function xmlReply(action: string, resultXml: string): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body:
      `<${action}Response xmlns="${STS_NAMESPACE}"><${action}Result>${resultXml}</${action}Result>` +
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

export function xmlError(error: AwsError): Reply {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
      `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}
