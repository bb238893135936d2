// The gateway suite's non-encrypting stand-in: a minimal node:http(s) server that speaks
// just enough path-style S3 for @aws-sdk/client-s3's CreateBucket, PutObject, GetObject
// and DeleteObject, and streams bodies to and from files in a directory (temp + fsync +
// rename, like the gateway's fs storage). No auth, no encryption, no checksums: what an S3 server
// costs at least on this machine. Run as a child process:
//   node stand-in-server.js DIR [CERT_FILE KEY_FILE]
// prints `listening on http(s)://127.0.0.1:PORT` on stderr when ready.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** The file that holds `bucket/key` under `dir` (one flat, encoded name per object). */
function objectPath(dir: string, bucket: string, key: string): string {
  return join(dir, encodeURIComponent(bucket), encodeURIComponent(key));
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The body in 1 MiB pieces, as the gateway cuts request bodies (TLS delivers 16 KiB at a
 * time): the file is written in the same sizes on both sides.
 */
async function* inPieces(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const size = 1024 * 1024;
  let piece = Buffer.allocUnsafe(size);
  let fill = 0;
  for await (const chunk of source) {
    for (let at = 0; at < chunk.length;) {
      const take = Math.min(size - fill, chunk.length - at);
      chunk.copy(piece, fill, at, at + take);
      fill += take;
      at += take;
      if (fill === size) {
        yield piece;
        piece = Buffer.allocUnsafe(size);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield piece.subarray(0, fill);
}

function parse(url: string): { bucket: string; key: string } {
  const path = url.split('?')[0] ?? '/';
  const [bucket = '', ...rest] = path.slice(1).split('/');
  return { bucket: decodeURIComponent(bucket), key: rest.map((p) => decodeURIComponent(p)).join('/') };
}

async function handle(dir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { bucket, key } = parse(req.url ?? '/');
  if (bucket === '' || bucket.includes('..') || key.includes('\0')) {
    res.writeHead(400).end();
    return;
  }
  if (key === '') {
    if (req.method === 'PUT') await mkdir(join(dir, encodeURIComponent(bucket)), { recursive: true });
    req.resume();
    res.writeHead(200, { 'content-length': '0' }).end();
    return;
  }
  const path = objectPath(dir, bucket, key);
  switch (req.method) {
    case 'PUT': {
      const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
      try {
        // fsync before the rename, as the gateway's fs storage does: both acknowledge durable writes.
        await pipeline(req, inPieces, createWriteStream(temp, { flush: true }));
        await rename(temp, path);
        await syncDirectory(join(dir, encodeURIComponent(bucket)));
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      res.writeHead(200, { etag: '"stand-in"', 'content-length': '0' }).end();
      return;
    }
    case 'GET':
    case 'HEAD': {
      const size = (await stat(path).catch(() => undefined))?.size;
      if (size === undefined) {
        res.writeHead(404, { 'content-length': '0' }).end();
        return;
      }
      res.writeHead(200, {
        'content-length': String(size),
        'content-type': 'application/octet-stream',
        etag: '"stand-in"',
      });
      if (req.method === 'HEAD') res.end();
      // 256 KiB reads, as the gateway's fs storage reads blobs: neither side wins on read size.
      else await pipeline(createReadStream(path, { highWaterMark: 256 * 1024 }), res);
      return;
    }
    case 'DELETE':
      await rm(path, { force: true });
      res.writeHead(204).end();
      return;
    default:
      res.writeHead(405, { 'content-length': '0' }).end();
  }
}

const [dir, certFile, keyFile] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: stand-in-server DIR [CERT_FILE KEY_FILE]');
const listener = (req: IncomingMessage, res: ServerResponse): void => {
  handle(dir, req, res).catch(() => {
    if (!res.headersSent) res.writeHead(500, { 'content-length': '0' }).end();
    else res.destroy();
  });
};
const tls = certFile !== undefined && keyFile !== undefined;
const server = tls
  ? createHttpsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, listener)
  : createHttpServer(listener);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stderr.write(`listening on ${tls ? 'https' : 'http'}://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
