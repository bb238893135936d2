import { invalidArgument, readOptions } from '@sealflow/core/validate';

/** The AWS credentials the `aws-kms` key store uses when it acts for one principal. */
export type AwsKmsPrincipalCredentials =
  | {
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken?: string;
    }
  | {
      /**
       * A named profile of the SDK's shared config files (`~/.aws/config`, `credentials`);
       * the profile may assume a role (`role_arn` with `source_profile` or
       * `credential_source`), which the SDK does and refreshes.
       */
      readonly profile: string;
    };

const PRINCIPAL = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[!-~]+$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const PROFILE = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_PRINCIPALS = 1000;

/**
 * Reads `keyStore.principals` of an `aws-kms` key store: principal ARN → the credentials
 * (static keys, or a shared-config profile) its KMS calls are made with.
 * @throws {InvalidArgumentError} `ERR_INVALID_ARGUMENT` naming the field (never a secret)
 */
export function parseAwsKmsPrincipals(
  value: unknown,
  label: string,
): Readonly<Record<string, AwsKmsPrincipalCredentials>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidArgument(`${label}: expected an object of principal ARN → credentials`);
  const entries = Object.entries(value);
  if (entries.length > MAX_PRINCIPALS) throw invalidArgument(`${label}: at most ${MAX_PRINCIPALS} principals`);
  const out: Record<string, AwsKmsPrincipalCredentials> = {};
  for (const [principal, raw] of entries) {
    const field = `${label}["${principal.slice(0, 200)}"]`;
    if (!PRINCIPAL.test(principal))
      throw invalidArgument(`${label}: "${principal.slice(0, 200)}" is not a principal ARN`);
    const o = readOptions(raw, field, ['accessKeyId', 'secretAccessKey', 'sessionToken', 'profile']);
    if (o.has('profile')) {
      if (o.has('accessKeyId') || o.has('secretAccessKey') || o.has('sessionToken'))
        throw invalidArgument(`${field}: give either profile or accessKeyId/secretAccessKey, not both`);
      const profile = o.string('profile');
      if (!PROFILE.test(profile)) throw invalidArgument(`${field}.profile: expected a profile name`);
      out[principal] = { profile };
      continue;
    }
    const accessKeyId = o.string('accessKeyId');
    if (!ACCESS_KEY_ID.test(accessKeyId)) throw invalidArgument(`${field}.accessKeyId: expected an access key ID`);
    const secretAccessKey = o.string('secretAccessKey');
    if (secretAccessKey.length < 8 || secretAccessKey.length > 256)
      throw invalidArgument(`${field}.secretAccessKey: expected 8 to 256 characters`);
    const sessionToken = o.optionalString('sessionToken');
    out[principal] = { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
  }
  return out;
}

/** What `awsKmsClients` needs of the SDK's KMS client class. */
export type KmsClientClass<C> = new (config: Record<string, unknown>) => C;

/**
 * One KMS client per credential mapping (made on first use) plus the default one (the
 * SDK's default chain) for principals not mapped: `clientFor(principal)`, and `clients()`
 * to destroy them at shutdown.
 */
export function awsKmsClients<C>(
  KMS: KmsClientClass<C>,
  base: { readonly region: string; readonly endpoint?: string | undefined },
  principals: Readonly<Record<string, AwsKmsPrincipalCredentials>> = {},
): { clientFor(principal: string): C; clients(): C[] } {
  const common = { region: base.region, ...(base.endpoint === undefined ? {} : { endpoint: base.endpoint }) };
  const fallback = new KMS(common);
  const made = new Map<string, C>();
  return {
    clientFor(principal) {
      const mapped = Object.hasOwn(principals, principal) ? principals[principal] : undefined;
      if (mapped === undefined) return fallback;
      let client = made.get(principal);
      if (client === undefined) {
        client = new KMS(
          'profile' in mapped
            ? { ...common, profile: mapped.profile }
            : {
                ...common,
                credentials: {
                  accessKeyId: mapped.accessKeyId,
                  secretAccessKey: mapped.secretAccessKey,
                  ...(mapped.sessionToken === undefined ? {} : { sessionToken: mapped.sessionToken }),
                },
              },
        );
        made.set(principal, client);
      }
      return client;
    },
    clients: () => [fallback, ...made.values()],
  };
}
