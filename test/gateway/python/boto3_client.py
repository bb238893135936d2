"""Drives a running sealflow gateway with boto3 and prints what it observed as one JSON
object on stdout; test/gateway/boto3.test.ts asserts on it.

Usage: python boto3_client.py ENDPOINT BUCKET KEY_ARN CA_FILE
Credentials and region come from the environment (AWS_ACCESS_KEY_ID, ...).
"""
import base64
import hashlib
import io
import json
import os
import ssl
import sys
import urllib.error
import urllib.request
import zlib

import boto3
import urllib3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

MiB = 1024 * 1024


def pattern(size, seed):
    # Deterministic bytes (no two parts alike), cheap to make in Python.
    block = hashlib.sha256(b"seed-%d" % seed).digest() * 2048  # 64 KiB
    out = bytearray()
    n = 0
    while len(out) < size:
        out += hashlib.sha256(block[:32] + n.to_bytes(8, "big")).digest() + block[32:]
        n += 1
    return bytes(out[:size])


def error_of(call):
    try:
        call()
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


def fetch(request, tls):
    """Status, headers and body of a plain urllib request (an HTTP error is an answer too)."""
    try:
        with urllib.request.urlopen(request, context=tls) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def main():
    endpoint, bucket, key_arn, ca_file = sys.argv[1:5]
    s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    # botocore presigns with SigV2 unless told otherwise; new AWS buckets want SigV4.
    s3v4 = boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, signature_version="s3v4"))
    seen = {}

    # Which content encoding / checksum each PutObject was sent with.
    def record(request, **_):
        if request.method == "PUT":
            seen.setdefault("put_headers", []).append(
                {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items() if k.lower() in ("content-encoding", "x-amz-trailer", "x-amz-content-sha256", "x-amz-sdk-checksum-algorithm")}
            )

    s3.meta.events.register("before-send.s3.PutObject", record)

    def record_part(request, **_):
        seen.setdefault("part_headers", []).append({k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items() if k.lower() in ("content-encoding", "x-amz-trailer", "x-amz-sdk-checksum-algorithm")})

    s3.meta.events.register("before-send.s3.UploadPart", record_part)
    out = {}
    s3.create_bucket(Bucket=bucket)

    # 1. put_object: SSE-KMS, encryption context, flexible checksum (aws-chunked trailer).
    body = pattern(300 * 1024 + 7, 1)
    context = {"project": "sealflow", "tier": "gold"}
    put = s3.put_object(
        Bucket=bucket,
        Key="ctx/object.bin",
        Body=io.BytesIO(body),
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=key_arn,
        SSEKMSEncryptionContext=base64.b64encode(json.dumps(context).encode()).decode(),
        ChecksumAlgorithm="CRC32",
    )
    head = s3.head_object(Bucket=bucket, Key="ctx/object.bin", ChecksumMode="ENABLED")
    got = s3.get_object(Bucket=bucket, Key="ctx/object.bin")["Body"].read()
    out["put"] = {
        "sse": put.get("ServerSideEncryption"),
        "keyId": put.get("SSEKMSKeyId"),
        "context": json.loads(base64.b64decode(put["SSEKMSEncryptionContext"])) if "SSEKMSEncryptionContext" in put else None,
        "checksum": put.get("ChecksumCRC32"),
        "expectedChecksum": base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode(),
        "headChecksum": head.get("ChecksumCRC32"),
        "headLength": head["ContentLength"],
        "roundTrip": got == body,
        "sentWith": seen.get("put_headers", [None])[0],
    }

    # 2. A wrong checksum is refused and stores nothing.
    bad = error_of(lambda: s3.put_object(Bucket=bucket, Key="ctx/bad.bin", Body=b"x" * 100, ChecksumCRC32="AAAAAA=="))
    out["badChecksum"] = {"error": bad, "stored": error_of(lambda: s3.head_object(Bucket=bucket, Key="ctx/bad.bin"))}

    # 3. upload_fileobj: multipart (5 MiB parts over 11 MiB), SSE-KMS; then ranges across parts.
    big = pattern(11 * MiB + 333, 2)
    s3.upload_fileobj(
        io.BytesIO(big),
        bucket,
        "mp/big.bin",
        ExtraArgs={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_arn},
        Config=TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=3),
    )
    mp_head = s3.head_object(Bucket=bucket, Key="mp/big.bin", ChecksumMode="ENABLED")
    ranges = {}
    for spec in [(5 * MiB - 10, 5 * MiB + 9), (0, 10 * MiB + 5), (10 * MiB - 1, len(big) - 1)]:
        r = s3.get_object(Bucket=bucket, Key="mp/big.bin", Range="bytes=%d-%d" % spec)
        ranges["%d-%d" % spec] = {"ok": r["Body"].read() == big[spec[0] : spec[1] + 1], "contentRange": r["ContentRange"], "length": r["ContentLength"]}
    out["multipart"] = {
        "etag": mp_head["ETag"],
        "checksum": {k: v for k, v in mp_head.items() if k.startswith("Checksum")},
        "partHeaders": seen.get("part_headers", [])[:1],
        # S3's composite checksum: the CRC32 of the parts' CRC32s, then "-<parts>".
        "expectedComposite": base64.b64encode(
            zlib.crc32(b"".join(zlib.crc32(big[i : i + 5 * MiB]).to_bytes(4, "big") for i in range(0, len(big), 5 * MiB))).to_bytes(4, "big")
        ).decode()
        + "-3",
        "length": mp_head["ContentLength"],
        "sse": mp_head.get("ServerSideEncryption"),
        "keyId": mp_head.get("SSEKMSKeyId"),
        "ranges": ranges,
        "whole": s3.get_object(Bucket=bucket, Key="mp/big.bin")["Body"].read() == big,
    }

    # 4. copy_object onto itself with a new key: re-key, same bytes.
    s3.put_object(Bucket=bucket, Key="rekey/me", Body=b"re-key me")
    before = s3.head_object(Bucket=bucket, Key="rekey/me")
    copied = s3.copy_object(Bucket=bucket, Key="rekey/me", CopySource={"Bucket": bucket, "Key": "rekey/me"}, ServerSideEncryption="aws:kms", SSEKMSKeyId=key_arn)
    after = s3.head_object(Bucket=bucket, Key="rekey/me")
    out["rekey"] = {
        "before": before.get("ServerSideEncryption"),
        "copySse": copied.get("ServerSideEncryption"),
        "after": after.get("ServerSideEncryption"),
        "afterKey": after.get("SSEKMSKeyId"),
        "body": s3.get_object(Bucket=bucket, Key="rekey/me")["Body"].read().decode(),
    }

    # 5. list_objects_v2: plaintext sizes.
    listed = s3.list_objects_v2(Bucket=bucket)
    out["list"] = {c["Key"]: c["Size"] for c in listed.get("Contents", [])}

    # 6. A presigned GET URL fetched with urllib (no SDK on the way).
    tls = ssl.create_default_context(cafile=ca_file)
    url = s3v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "ctx/object.bin"}, ExpiresIn=300)
    status, headers, got = fetch(url, tls)
    out["presigned"] = {"status": status, "ok": got == body, "sse": headers.get("x-amz-server-side-encryption"), "error": None if status == 200 else got.decode(errors="replace")}
    status, _, got = fetch(url.replace("ctx/object.bin", "mp/big.bin"), tls)
    out["presignedTampered"] = {"status": status, "body": got.decode(errors="replace")}
    # A SigV2 query string (botocore's default presigning): refused as AWS does for new buckets.
    status, _, got = fetch(s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "ctx/object.bin"}, ExpiresIn=300), tls)
    out["presignedV2"] = {"status": status, "body": got.decode(errors="replace")}

    # 7. POST Object: generate_presigned_post with SSE-KMS fields, sent as a multipart form,
    # signed with the legacy SigV2 policy signature (botocore's default) and with SigV4.
    out["post"] = {}
    for name, client in (("v2", s3), ("v4", s3v4)):
        fields = {"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": key_arn}
        post = client.generate_presigned_post(
            bucket,
            "form/" + name + "/${filename}",
            Fields=fields,
            Conditions=[{"x-amz-server-side-encryption": "aws:kms"}, {"x-amz-server-side-encryption-aws-kms-key-id": key_arn}, ["content-length-range", 1, 1024]],
            ExpiresIn=300,
        )
        form = dict(post["fields"])
        form["file"] = ("posted.txt", b"posted through a browser form", "text/plain")
        encoded, content_type = urllib3.encode_multipart_formdata(form)
        status, _, got = fetch(urllib.request.Request(post["url"], data=encoded, headers={"Content-Type": content_type}, method="POST"), tls)
        result = {"signedWith": "x-amz-signature" if "x-amz-signature" in post["fields"] else "signature", "status": status}
        if status == 204:
            posted = s3.head_object(Bucket=bucket, Key="form/" + name + "/posted.txt")
            result.update({"sse": posted.get("ServerSideEncryption"), "keyId": posted.get("SSEKMSKeyId"), "body": s3.get_object(Bucket=bucket, Key="form/" + name + "/posted.txt")["Body"].read().decode()})
        else:
            result["error"] = got.decode(errors="replace")
        out["post"][name] = result

    # 8. A GET carrying an SSE header: 400 InvalidArgument.
    def add_sse(request, **_):
        request.headers["x-amz-server-side-encryption"] = "aws:kms"

    s3.meta.events.register("before-sign.s3.GetObject", add_sse)
    out["getWithSse"] = error_of(lambda: s3.get_object(Bucket=bucket, Key="ctx/object.bin"))
    s3.meta.events.unregister("before-sign.s3.GetObject", add_sse)

    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
