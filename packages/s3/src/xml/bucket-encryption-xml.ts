import { invalidArgument } from '../errors/s3-error.js';
import { S3Limits } from '../limits.js';
import type { BucketEncryption } from '../rules/bucket-encryption.js';
import { isKmsAlgorithm, isSseAlgorithm } from '../rules/sse-headers.js';
import {
  buildXmlDocument,
  malformedXml,
  onlyChildren,
  optionalText,
  parseXmlDocument,
  requiredElement,
} from './xml-document.js';

const ROOT = 'ServerSideEncryptionConfiguration';

/**
 * Reads a PutBucketEncryption body: `ServerSideEncryptionConfiguration` with exactly one
 * `Rule`, whose `ApplyServerSideEncryptionByDefault` has `SSEAlgorithm` (`AES256`,
 * `aws:kms` or `aws:kms:dsse`) and optionally `KMSMasterKeyID`, and an optional
 * `BucketKeyEnabled` (`true`/`false`).
 *
 * @throws {S3Error} 400 `MalformedXML` for XML that is not well-formed, exceeds
 * {@link S3Limits.maxEncryptionConfigurationXmlBytes} (`MaxMessageLengthExceeded`), has
 * unknown, missing or repeated elements, or an unknown algorithm; 400 `InvalidArgument` for a
 * `KMSMasterKeyID` with `AES256` (as S3 answers), or an empty or over-long key ID.
 */
export function parseBucketEncryptionXml(body: string | Uint8Array): BucketEncryption {
  const root = parseXmlDocument(body, ROOT, S3Limits.maxEncryptionConfigurationXmlBytes);
  onlyChildren(root, ['Rule']);
  const rule = requiredElement(root, 'Rule');
  onlyChildren(rule, ['ApplyServerSideEncryptionByDefault', 'BucketKeyEnabled']);
  const apply = requiredElement(rule, 'ApplyServerSideEncryptionByDefault');
  onlyChildren(apply, ['SSEAlgorithm', 'KMSMasterKeyID']);
  const algorithm = optionalText(apply, 'SSEAlgorithm');
  if (algorithm === undefined || !isSseAlgorithm(algorithm)) throw malformedXml();
  const keyId = optionalText(apply, 'KMSMasterKeyID');
  const bucketKeyText = optionalText(rule, 'BucketKeyEnabled');
  if (bucketKeyText !== undefined && bucketKeyText !== 'true' && bucketKeyText !== 'false') throw malformedXml();
  if (keyId !== undefined) {
    if (!isKmsAlgorithm(algorithm)) {
      throw invalidArgument(
        'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
        'ApplyServerSideEncryptionByDefault',
      );
    }
    if (keyId.length === 0 || keyId.length > S3Limits.maxKeyIdLength)
      throw invalidArgument('The KMSMasterKeyID is not valid', 'KMSMasterKeyID');
  }
  return {
    algorithm,
    ...(keyId === undefined ? {} : { kmsMasterKeyId: keyId }),
    bucketKeyEnabled: bucketKeyText === 'true',
  };
}

/**
 * Writes a configuration as GetBucketEncryption answers it (one `Rule`, the S3 namespace,
 * `BucketKeyEnabled` always present). Parsing the result gives back the same configuration.
 * Never throws.
 */
export function bucketEncryptionToXml(configuration: BucketEncryption): string {
  const apply: Record<string, string> = { SSEAlgorithm: configuration.algorithm };
  if (configuration.kmsMasterKeyId !== undefined) apply['KMSMasterKeyID'] = configuration.kmsMasterKeyId;
  return buildXmlDocument(ROOT, {
    Rule: { ApplyServerSideEncryptionByDefault: apply, BucketKeyEnabled: String(configuration.bucketKeyEnabled) },
  });
}
