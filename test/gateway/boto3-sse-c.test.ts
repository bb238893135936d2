// SSE-C with boto3 (installed by scripts/install-s3-clients.sh) against `sealflow gateway`
// run as its own process, on both storage backends. test/gateway/python/boto3_sse_c.py does
// the calls and reports what it saw as JSON; the assertions are here.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from './support/gateway-harness.js';
import { rawRequest } from './support/raw-request.js';
import { REPO } from './support/spawned-gateway.js';
import { pythonReport } from './support/python-report.js';

const SCRIPT = join(REPO, 'test/gateway/python/boto3_sse_c.py');

type Failure = { code: string; status: number } | null;
interface Report {
  keyMd5: string;
  put: {
    algorithm: string;
    keyMd5: string;
    sse: string | null;
    roundTrip: boolean;
    getKeyMd5: string;
    headLength: number;
    headAlgorithm: string;
    range: boolean;
    contentRange: string;
  };
  errors: { noKey: Failure; wrongKey: Failure; headWrongKey: Failure; withKms: Failure };
  multipart: { whole: boolean; across: boolean; etag: string };
  copy: { kmsSse: string; kmsBody: boolean; backAlgorithm: string; backBody: boolean; noSourceKey: Failure };
  secrets: string[];
  errorBodies: string[];
}

describe.each(BACKENDS)('boto3 SSE-C against sealflow gateway over %s', (backend) => {
  const py = pythonReport<Report>(backend, SCRIPT, (_site, url) => [url, 'boto-ssec']);

  it('put_object / get_object / head_object / a range with SSECustomerKey; the key MD5 is echoed', () => {
    expect(py.report.put).toEqual({
      algorithm: 'AES256',
      keyMd5: py.report.keyMd5,
      sse: null,
      roundTrip: true,
      getKeyMd5: py.report.keyMd5,
      headLength: 300 * 1024 + 11,
      headAlgorithm: 'AES256',
      range: true,
      contentRange: `bytes 1000-99999/${300 * 1024 + 11}`,
    });
  });

  it("answers S3's codes: no key 400 InvalidRequest, wrong key 403, SSE-C with SSE-KMS 400 InvalidArgument", () => {
    expect(py.report.errors).toEqual({
      noKey: { code: 'InvalidRequest', status: 400 },
      wrongKey: { code: 'AccessDenied', status: 403 },
      // HEAD has no body: botocore reports the status as the code.
      headWrongKey: { code: '403', status: 403 },
      withKms: { code: 'InvalidArgument', status: 400 },
    });
  });

  it('no key material in the error bodies boto3 got, the gateway process stderr or /metrics', async () => {
    const metrics = await rawRequest(py.gateway.url, py.site.ca, { path: '/metrics' });
    expect(metrics.status).toBe(200);
    expect(py.report.errorBodies.length).toBeGreaterThanOrEqual(4);
    for (const secret of py.report.secrets) {
      expect(py.report.errorBodies.join('\n')).not.toContain(secret);
      expect(py.gateway.stderr()).not.toContain(secret);
      expect(metrics.body).not.toContain(secret);
    }
  });

  it('upload_fileobj goes multipart with the key on every part; whole and cross-part ranges read back', () => {
    expect(py.report.multipart).toMatchObject({ whole: true, across: true });
    expect(py.report.multipart.etag).toMatch(/-3"$/);
  });

  it('copy_object: SSE-C → SSE-KMS with the copy-source key, then → SSE-C under another key; no source key: 400', () => {
    expect(py.report.copy).toEqual({
      kmsSse: 'aws:kms',
      kmsBody: true,
      backAlgorithm: 'AES256',
      backBody: true,
      noSourceKey: { code: 'InvalidRequest', status: 400 },
    });
  });
});
