"""SSE-C (customer-provided keys) through a running sealflow gateway with boto3; prints what
it observed as one JSON object on stdout. test/gateway/boto3-sse-c.test.ts asserts on it.

Usage: python boto3_sse_c.py ENDPOINT BUCKET
Credentials, region and the CA bundle come from the environment.
"""
import base64
import hashlib
import io
import json
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

MiB = 1024 * 1024


MESSAGES = []


def error_of(call):
    try:
        call()
    except ClientError as error:
        MESSAGES.append(json.dumps(error.response.get("Error", {})))
        return {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


def main():
    endpoint, bucket = sys.argv[1:3]
    s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    key = os.urandom(32)
    other = os.urandom(32)
    # boto3 takes the raw key bytes, base64-encodes them and adds the MD5 itself.
    sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
    sse_other = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": other}
    key_md5 = base64.b64encode(hashlib.md5(key).digest()).decode()
    seen = {"keyMd5": key_md5}
    s3.create_bucket(Bucket=bucket)

    body = os.urandom(300 * 1024 + 11)
    put = s3.put_object(Bucket=bucket, Key="one", Body=body, **sse)
    got = s3.get_object(Bucket=bucket, Key="one", **sse)
    head = s3.head_object(Bucket=bucket, Key="one", **sse)
    ranged = s3.get_object(Bucket=bucket, Key="one", Range="bytes=1000-99999", **sse)
    seen["put"] = {
        "algorithm": put.get("SSECustomerAlgorithm"),
        "keyMd5": put.get("SSECustomerKeyMD5"),
        "sse": put.get("ServerSideEncryption"),
        "roundTrip": got["Body"].read() == body,
        "getKeyMd5": got.get("SSECustomerKeyMD5"),
        "headLength": head["ContentLength"],
        "headAlgorithm": head.get("SSECustomerAlgorithm"),
        "range": ranged["Body"].read() == body[1000:100000],
        "contentRange": ranged["ContentRange"],
    }
    seen["errors"] = {
        "noKey": error_of(lambda: s3.get_object(Bucket=bucket, Key="one")),
        "wrongKey": error_of(lambda: s3.get_object(Bucket=bucket, Key="one", **sse_other)),
        "headWrongKey": error_of(lambda: s3.head_object(Bucket=bucket, Key="one", **sse_other)),
        "withKms": error_of(
            lambda: s3.put_object(Bucket=bucket, Key="mixed", Body=b"x", ServerSideEncryption="aws:kms", **sse)
        ),
    }

    # upload_fileobj goes multipart (every part carries the key); ranges across part boundaries.
    big = os.urandom(12 * MiB + 5)
    s3.upload_fileobj(
        io.BytesIO(big),
        bucket,
        "big",
        ExtraArgs=sse,
        Config=TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=3),
    )
    whole = s3.get_object(Bucket=bucket, Key="big", **sse)
    across = s3.get_object(Bucket=bucket, Key="big", Range="bytes=%d-%d" % (5 * MiB - 7, 10 * MiB + 6), **sse)
    seen["multipart"] = {
        "whole": whole["Body"].read() == big,
        "across": across["Body"].read() == big[5 * MiB - 7 : 10 * MiB + 7],
        "etag": whole["ETag"],
    }

    # copy: SSE-C -> SSE-KMS -> SSE-C (another key).
    s3.copy_object(
        Bucket=bucket,
        Key="kms",
        CopySource={"Bucket": bucket, "Key": "one"},
        ServerSideEncryption="aws:kms",
        CopySourceSSECustomerAlgorithm="AES256",
        CopySourceSSECustomerKey=key,
    )
    kms = s3.get_object(Bucket=bucket, Key="kms")
    back = s3.copy_object(Bucket=bucket, Key="back", CopySource={"Bucket": bucket, "Key": "kms"}, **sse_other)
    seen["copy"] = {
        "kmsSse": kms.get("ServerSideEncryption"),
        "kmsBody": kms["Body"].read() == body,
        "backAlgorithm": back.get("SSECustomerAlgorithm"),
        "backBody": s3.get_object(Bucket=bucket, Key="back", **sse_other)["Body"].read() == body,
        "noSourceKey": error_of(
            lambda: s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "one"})
        ),
    }
    # What the test looks for in the gateway's stderr, /metrics and these error bodies.
    seen["secrets"] = [base64.b64encode(k).decode() for k in (key, other)] + [k.hex() for k in (key, other)]
    seen["errorBodies"] = MESSAGES
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
