import { canonicalJson } from '../canonical-json.js';
import { readHeaderValues } from './http-event.js';

interface RequestContextLike {
  readonly authorizer?: Record<string, unknown> | null;
  readonly identity?: Record<string, unknown> | null;
  readonly authentication?: { readonly clientCert?: Record<string, unknown> | null } | null;
  readonly elb?: unknown;
}

type Fields = Record<string, unknown>;

// What API Gateway adds to a REST authorizer context per request (its own timing), not who the caller is.
const perRequestAuthorizerFields = new Set(['integrationLatency']);
// Claims that change with every token a caller is issued, so a retry after a token refresh still meets its first try.
const perTokenClaims = new Set(['iat', 'exp', 'nbf', 'auth_time', 'jti', 'origin_jti', 'event_id', 'at_hash', 'c_hash', 'nonce']);
// The REST `identity` fields that name a caller; source IP, user agent and the rotating access key do not.
const restIdentityFields = [
  'accountId',
  'caller',
  'user',
  'userArn',
  'cognitoIdentityId',
  'cognitoIdentityPoolId',
  'cognitoAuthenticationProvider',
  'principalOrgId',
  'apiKeyId',
];
// An IAM caller's temporary access key rotates with its session; its ARN and ids do not.
const perSessionIamFields = new Set(['accessKey']);

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const without = (fields: Fields, dropped: ReadonlySet<string>): Fields => Object.fromEntries(Object.entries(fields).filter(([name]) => !dropped.has(name)));
const pick = (fields: Fields, kept: readonly string[]): Fields => Object.fromEntries(Object.entries(fields).filter(([name]) => kept.includes(name)));

// Empty strings, nulls and empty objects name nobody: API Gateway fills absent identity fields with them.
function pruneEmpty(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return undefined;
  if (!isObject(value)) return value;
  const entries = Object.entries(value)
    .map(([name, field]) => [name, pruneEmpty(field)] as const)
    .filter(([, field]) => field !== undefined);
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

function stableAuthorizer(authorizer: Fields): Fields {
  const stable = without(authorizer, perRequestAuthorizerFields);
  if (isObject(stable.claims)) stable.claims = without(stable.claims, perTokenClaims);
  if (isObject(stable.jwt)) stable.jwt = isObject(stable.jwt.claims) ? { claims: without(stable.jwt.claims, perTokenClaims) } : {};
  if (isObject(stable.iam)) stable.iam = without(stable.iam, perSessionIamFields);
  return stable;
}

const certificateOf = (cert: unknown) => (isObject(cert) ? pick(cert, ['issuerDN', 'serialNumber']) : undefined);

/**
 * The default scope of {@link httpIdempotency}: every identity the event carries, in canonical form, so that one
 * caller's key can never replay another caller's response while one caller's retries still meet.
 *
 * It joins: the whole authorizer context (REST Lambda authorizer `principalId` and context, HTTP API Lambda authorizer
 * `lambda` context, Cognito `claims` and HTTP API `jwt.claims`, HTTP API and Function URL `iam`), so that context
 * fields the library cannot name still separate callers; the REST IAM, Cognito identity and API key ids; the mTLS
 * client certificate (issuer and serial number); and, on ALB, the `x-amzn-oidc-identity` header. It leaves out what
 * changes per request or per token: API Gateway's `integrationLatency`, token times and ids (`iat`, `exp`, `jti`, …),
 * JWT scopes, the temporary access key, source IP and user agent. `undefined` (the key alone) when the event names no
 * caller.
 * @example
 * ```ts
 * import { readCallerScope } from 'lambda-idempotency';
 * readCallerScope({ requestContext: { authorizer: { lambda: { tenantId: 't-1' } } } }); // '{"authorizer":{"lambda":{"tenantId":"t-1"}}}'
 * ```
 */
export function readCallerScope(event: unknown): string | undefined {
  const requestContext = (isObject(event) && isObject(event.requestContext) ? event.requestContext : {}) as RequestContextLike;
  const { authorizer, identity, authentication, elb } = requestContext;
  const scope = pruneEmpty({
    authorizer: isObject(authorizer) ? stableAuthorizer(authorizer) : undefined,
    identity: isObject(identity) ? pick(identity, restIdentityFields) : undefined,
    clientCert: certificateOf(authentication?.clientCert) ?? certificateOf(identity?.clientCert),
    // ALB passes the header through unless its OIDC action set it, so it is read on ALB events only.
    oidcIdentity: elb === undefined ? undefined : readHeaderValues(event, 'x-amzn-oidc-identity').join('\n'),
  });
  return scope === undefined ? undefined : canonicalJson(scope);
}
