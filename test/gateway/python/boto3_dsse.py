"""DSSE-KMS (aws:kms:dsse) through a running sealflow gateway with boto3; prints what it saw
as JSON on stdout (test/gateway/dsse.test.ts asserts on it).

Usage: python boto3_dsse.py ENDPOINT BUCKET KEY_ARN
"""
import hashlib
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def main():
    endpoint, bucket, key_arn = sys.argv[1:4]
    s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    s3.create_bucket(Bucket=bucket)
    body = os.urandom(200_000)
    put = s3.put_object(Bucket=bucket, Key="d.bin", Body=body, ServerSideEncryption="aws:kms:dsse", SSEKMSKeyId=key_arn)
    head = s3.head_object(Bucket=bucket, Key="d.bin")
    whole = s3.get_object(Bucket=bucket, Key="d.bin")["Body"].read()
    ranged = s3.get_object(Bucket=bucket, Key="d.bin", Range="bytes=65530-131080")
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:dsse", "KMSMasterKeyID": key_arn}}]
        },
    )
    default = s3.put_object(Bucket=bucket, Key="default.bin", Body=b"by default")
    config = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    def add_sse(request, **kwargs):
        request.headers["x-amz-server-side-encryption"] = "aws:kms:dsse"

    s3.meta.events.register_first("before-sign.s3.GetObject", add_sse)
    try:
        s3.get_object(Bucket=bucket, Key="d.bin")
        get_with_sse = None
    except ClientError as error:
        get_with_sse = {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    s3.meta.events.unregister("before-sign.s3.GetObject", add_sse)
    print(
        json.dumps(
            {
                "put": {"sse": put.get("ServerSideEncryption"), "keyId": put.get("SSEKMSKeyId")},
                "head": {"sse": head.get("ServerSideEncryption"), "keyId": head.get("SSEKMSKeyId"), "length": head["ContentLength"]},
                "whole": hashlib.sha256(whole).hexdigest() == hashlib.sha256(body).hexdigest(),
                "range": {
                    "ok": ranged["Body"].read() == body[65530:131081],
                    "contentRange": ranged.get("ContentRange"),
                    "sse": ranged.get("ServerSideEncryption"),
                },
                "default": {"sse": default.get("ServerSideEncryption"), "keyId": default.get("SSEKMSKeyId")},
                "config": config["ApplyServerSideEncryptionByDefault"],
                "getWithSse": get_with_sse,
            }
        )
    )


if __name__ == "__main__":
    main()
