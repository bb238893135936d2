/** The account an access key belongs to, as the gateway's config names it. */
export interface AccountCredentials {
  /** The secret access key (never logged, never put in an error). */
  readonly secret: string;
  /** The principal ARN the key stores and bucket policies see. */
  readonly principal: string;
  readonly accountId: string;
  readonly displayName: string;
}

/** Finds the account of an access key id, or undefined when it is unknown. */
export type CredentialLookup = (accessKeyId: string) => AccountCredentials | undefined;

/** Who made a request. Anonymous requests are allowed through: bucket policies decide. */
export type Identity =
  | { readonly anonymous: true }
  | {
      readonly anonymous: false;
      readonly accessKeyId: string;
      readonly principal: string;
      readonly accountId: string;
      readonly displayName: string;
      /** Where the signature was: the Authorization header, presigned query, or a POST form policy. */
      readonly via: 'header' | 'query' | 'post-policy';
      readonly signatureVersion: 'v4' | 'v2';
    };
