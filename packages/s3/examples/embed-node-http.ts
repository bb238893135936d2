// A minimal S3-compatible endpoint over @sealflow/s3 with raw node:http: path-style
// PUT/GET/HEAD/DELETE of buckets and objects, SSE-KMS through an in-process KMS.
// No authentication: every request acts as one principal (a real gateway verifies SigV4).
// Loopback only. Run: node embed-node-http.js  (PORT=0 picks a free port)
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MemoryKms } from '@sealflow/keystore-memory';
import { isS3Error, kmsKeyProvider, MemoryBlobStore, S3Service } from '@sealflow/s3';

const ACCOUNT = '111122223333';
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:user/example`;

export function createEmbeddedServer(): Server {
  const kms = new MemoryKms({ principal: `arn:aws:iam::${ACCOUNT}:root` });
  const s3 = new S3Service({
    store: new MemoryBlobStore(),
    keys: kmsKeyProvider({ clientFor: (p) => kms.as(p) }),
    region: 'us-east-1',
    sseS3Key: randomBytes(32),
  });
  return createServer((req, res) => void handle(s3, req, res));
}

async function handle(s3: S3Service, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const ctx = { principal: PRINCIPAL, accountId: ACCOUNT, requestId, secureTransport: true, anonymous: false };
  const [bucket = '', ...rest] = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    .slice(1)
    .split('/');
  const key = rest.join('/');
  const headers = req.headers as Record<string, string>;
  res.setHeader('x-amz-request-id', requestId);
  try {
    if (key === '') {
      if (req.method === 'PUT') send(res, 200, (await s3.createBucket(ctx, { bucket })).headers);
      else if (req.method === 'DELETE') send(res, 204, (await s3.deleteBucket(ctx, { bucket })).headers);
      else send(res, 405, {});
    } else if (req.method === 'PUT') {
      const length =
        headers['content-length'] === undefined ? {} : { contentLength: Number(headers['content-length']) };
      send(res, 200, (await s3.putObject(ctx, { bucket, key, headers, body: req, ...length })).headers);
    } else if (req.method === 'HEAD') {
      const found = await s3.headObject(ctx, { bucket, key, headers });
      send(res, found.status, found.headers);
    } else if (req.method === 'GET') {
      const found = await s3.getObject(ctx, { bucket, key, headers });
      res.writeHead(found.status, found.headers);
      for await (const chunk of found.body) if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      res.end();
    } else if (req.method === 'DELETE') send(res, 204, (await s3.deleteObject(ctx, { bucket, key })).headers);
    else send(res, 405, {});
  } catch (error) {
    if (res.headersSent) return void res.destroy(error as Error);
    const e = isS3Error(error) ? error : undefined;
    res.writeHead(e?.status ?? 500, { 'content-type': 'application/xml', ...e?.extra });
    res.end(`<Error><Code>${e?.s3Code ?? 'InternalError'}</Code><RequestId>${requestId}</RequestId></Error>`);
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>): void {
  res.writeHead(status, headers).end();
}

if (process.argv[1]?.endsWith('embed-node-http.js')) {
  const server = createEmbeddedServer().listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
    const address = server.address();
    if (address !== null && typeof address === 'object')
      process.stderr.write(`listening on http://127.0.0.1:${address.port}\n`);
  });
}
