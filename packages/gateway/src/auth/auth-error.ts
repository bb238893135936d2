import { s3Error, type S3Error, type S3ErrorCode } from '@sealflow/s3';

/**
 * The S3 errors the authentication layer answers with: `@sealflow/s3`'s `S3Error`
 * (code `'ERR_S3'`, `s3Code`, HTTP `status` from its catalogue), rendered by the
 * server as S3 XML errors. Messages are Amazon S3's own sentences where S3
 * documents them; none says which byte, header or secret was wrong beyond that.
 */
export function authError(s3Code: S3ErrorCode, message: string): S3Error {
  return s3Error(s3Code, message);
}

/** S3's sentence for a signature that does not verify (never says what differed). */
export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
