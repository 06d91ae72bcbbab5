interface RequestContextLike {
  readonly authorizer?: {
    readonly principalId?: unknown;
    readonly claims?: { readonly sub?: unknown };
    readonly jwt?: { readonly claims?: { readonly sub?: unknown } };
    readonly iam?: { readonly userArn?: unknown };
  } | null;
  readonly identity?: { readonly userArn?: unknown; readonly apiKeyId?: unknown } | null;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * The default scope of {@link httpIdempotency}: who is calling, when the event says so, so that one caller's key can
 * never replay another caller's response.
 *
 * The first of: REST Lambda authorizer `principalId`, REST Cognito claims `sub`, HTTP API JWT claims `sub`, the IAM
 * caller ARN (both API types), the API key id. Each is prefixed with its kind, so a `sub` can never equal a
 * `principalId`. `undefined` (the key alone) when the event carries no identity.
 * @example
 * ```ts
 * import { readCallerScope } from 'lambda-idempotency';
 * readCallerScope({ requestContext: { authorizer: { jwt: { claims: { sub: 'user-1' } } } } }); // 'sub:user-1'
 * ```
 */
export function readCallerScope(event: unknown): string | undefined {
  const requestContext = (typeof event === 'object' && event !== null ? (event as { requestContext?: RequestContextLike }).requestContext : undefined) ?? {};
  const { authorizer, identity } = requestContext;
  const principalId = text(authorizer?.principalId);
  if (principalId !== undefined) return `principal:${principalId}`;
  const sub = text(authorizer?.claims?.sub) ?? text(authorizer?.jwt?.claims?.sub);
  if (sub !== undefined) return `sub:${sub}`;
  const arn = text(authorizer?.iam?.userArn) ?? text(identity?.userArn);
  if (arn !== undefined) return `iam:${arn}`;
  const apiKeyId = text(identity?.apiKeyId);
  return apiKeyId === undefined ? undefined : `api-key:${apiKeyId}`;
}
