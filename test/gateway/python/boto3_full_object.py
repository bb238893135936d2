"""Multipart FULL_OBJECT checksums through a running sealflow gateway with boto3; prints
what it saw as JSON on stdout (test/gateway/full-object-checksum.test.ts asserts on it).

Usage: python boto3_full_object.py ENDPOINT BUCKET WORK_JSON
WORK_JSON: {"cases": [{"algorithm", "key", "parts": [paths], "full": base64}], "wrong": base64}
boto3 without awscrt computes CRC32 itself; for CRC32C and CRC64NVME the parts go without a
client checksum (the gateway computes them under the upload's algorithm) and the full-object
value comes from the test.
"""
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def main():
    endpoint, bucket, work_file = sys.argv[1:4]
    with open(work_file) as f:
        work = json.load(f)
    config = Config(
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    s3 = boto3.client("s3", endpoint_url=endpoint, config=config)
    s3.create_bucket(Bucket=bucket)
    out = {}
    for case in work["cases"]:
        algorithm, key = case["algorithm"], case["key"]
        field = "Checksum" + algorithm
        created = s3.create_multipart_upload(
            Bucket=bucket, Key=key, ChecksumAlgorithm=algorithm, ChecksumType="FULL_OBJECT", ServerSideEncryption="aws:kms"
        )
        parts = []
        for number, path in enumerate(case["parts"], start=1):
            with open(path, "rb") as f:
                body = f.read()
            extra = {"ChecksumAlgorithm": algorithm} if algorithm == "CRC32" else {}
            part = s3.upload_part(Bucket=bucket, Key=key, UploadId=created["UploadId"], PartNumber=number, Body=body, **extra)
            parts.append({"PartNumber": number, "ETag": part["ETag"]})

        def complete(value):
            return s3.complete_multipart_upload(
                Bucket=bucket,
                Key=key,
                UploadId=created["UploadId"],
                MultipartUpload={"Parts": parts},
                ChecksumType="FULL_OBJECT",
                **{field: value},
            )

        try:
            complete(work["wrong"][algorithm])
            wrong = None
        except ClientError as error:
            wrong = {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
        done = complete(case["full"])
        head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        out[algorithm] = {
            "created": {"ChecksumType": created.get("ChecksumType"), "ChecksumAlgorithm": created.get("ChecksumAlgorithm")},
            "wrong": wrong,
            "complete": {"value": done.get(field), "type": done.get("ChecksumType")},
            "head": {"value": head.get(field), "type": head.get("ChecksumType"), "sse": head.get("ServerSideEncryption")},
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
