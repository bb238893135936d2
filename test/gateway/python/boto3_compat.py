"""Drives a running sealflow gateway with boto3 through the S3 behaviours conformance suites
(ceph s3-tests) check: conditional reads, copies and writes, response overrides, listing
encodings, ListObjectVersions of an unversioned bucket (the suites' teardown), ACL reads.
Prints what it observed as one JSON object; test/gateway/boto3-compat.test.ts asserts on it.

Usage: python boto3_compat.py ENDPOINT BUCKET
Credentials, region and CA bundle come from the environment (AWS_ACCESS_KEY_ID, ...).
"""
import datetime
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def error_of(call):
    try:
        call()
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


def main():
    endpoint, bucket = sys.argv[1:3]
    s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    out = {}
    s3.create_bucket(Bucket=bucket)
    put = s3.put_object(Bucket=bucket, Key="foo", Body=b"bar")
    etag = put["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="foo")["LastModified"]
    past = datetime.datetime(1994, 10, 29, 19, 43, 31, tzinfo=datetime.timezone.utc)
    future = datetime.datetime(2100, 10, 29, 19, 43, 31, tzinfo=datetime.timezone.utc)

    # 1. Conditional reads (s3-tests test_get_object_if*).
    read = lambda **kw: s3.get_object(Bucket=bucket, Key="foo", **kw)["Body"].read().decode()
    out["reads"] = {
        "ifMatchGood": read(IfMatch=etag),
        "ifMatchFailed": error_of(lambda: read(IfMatch='"ABCORZ"')),
        "ifNoneMatchGood": error_of(lambda: read(IfNoneMatch=etag)),
        "ifNoneMatchFailed": read(IfNoneMatch='"ABCORZ"'),
        "ifModifiedSinceGood": read(IfModifiedSince=past),
        "ifModifiedSinceFailed": error_of(lambda: read(IfModifiedSince=modified + datetime.timedelta(seconds=1))),
        "ifUnmodifiedSinceGood": error_of(lambda: read(IfUnmodifiedSince=past)),
        "ifUnmodifiedSinceFailed": read(IfUnmodifiedSince=future),
        "headIfNoneMatch": error_of(lambda: s3.head_object(Bucket=bucket, Key="foo", IfNoneMatch=etag)),
        "headIfMatch": error_of(lambda: s3.head_object(Bucket=bucket, Key="foo", IfMatch='"ABCORZ"')),
    }

    # 2. Conditional copies (s3-tests test_copy_object_ifmatch_* / ifnonematch_*).
    copy = lambda **kw: s3.copy_object(Bucket=bucket, Key="bar", CopySource={"Bucket": bucket, "Key": "foo"}, **kw)
    out["copies"] = {
        "ifMatchGood": error_of(lambda: copy(CopySourceIfMatch=etag)),
        "ifMatchFailed": error_of(lambda: copy(CopySourceIfMatch='"ABCORZ"')),
        "ifNoneMatchGood": error_of(lambda: copy(CopySourceIfNoneMatch='"ABCORZ"')),
        "ifNoneMatchFailed": error_of(lambda: copy(CopySourceIfNoneMatch=etag)),
        "ifModifiedSinceFailed": error_of(lambda: copy(CopySourceIfModifiedSince=future)),
        "body": s3.get_object(Bucket=bucket, Key="bar")["Body"].read().decode(),
    }

    # 3. Conditional writes.
    out["writes"] = {
        "first": error_of(lambda: s3.put_object(Bucket=bucket, Key="once", Body=b"1", IfNoneMatch="*")),
        "second": error_of(lambda: s3.put_object(Bucket=bucket, Key="once", Body=b"2", IfNoneMatch="*")),
        "ifMatchAbsent": error_of(lambda: s3.put_object(Bucket=bucket, Key="absent", Body=b"2", IfMatch=etag)),
    }

    # 4. Response overrides.
    got = s3.get_object(Bucket=bucket, Key="foo", ResponseContentType="text/x-override", ResponseContentDisposition="attachment", ResponseCacheControl="no-store")
    out["overrides"] = {"type": got["ContentType"], "disposition": got["ContentDisposition"], "cache": got["CacheControl"]}

    # 5. Listings: keys a URL-encoding must carry.
    for key in ["foo+1/bar", "foo/bar/xyzzy", "quux ab/thud", "asdf+b"]:
        s3.put_object(Bucket=bucket, Key="enc/" + key, Body=b"x")
    explicit = s3.list_objects(Bucket=bucket, Prefix="enc/", Delimiter="/", EncodingType="url")
    v2 = s3.list_objects_v2(Bucket=bucket, Prefix="enc/", Delimiter="/", EncodingType="url")
    # No EncodingType: botocore asks for url itself and decodes the answer (another path).
    implicit = s3.list_objects_v2(Bucket=bucket, Prefix="enc/")
    out["listing"] = {
        "v1Keys": [c["Key"] for c in explicit.get("Contents", [])],
        "v1Prefixes": [p["Prefix"] for p in explicit.get("CommonPrefixes", [])],
        "v2Prefixes": [p["Prefix"] for p in v2.get("CommonPrefixes", [])],
        "decoded": [c["Key"] for c in implicit.get("Contents", [])],
        "maxKeysZero": {k: s3.list_objects(Bucket=bucket, MaxKeys=0).get(k) for k in ("IsTruncated", "Contents")},
        "startAfter": [c["Key"] for c in s3.list_objects_v2(Bucket=bucket, StartAfter="enc/quux").get("Contents", [])],
    }

    # 6. Versions, versioning, ACLs.
    versions = s3.list_object_versions(Bucket=bucket)
    out["versions"] = [{"key": v["Key"], "id": v["VersionId"], "latest": v["IsLatest"]} for v in versions.get("Versions", [])]
    out["versioning"] = {k: v for k, v in s3.get_bucket_versioning(Bucket=bucket).items() if k != "ResponseMetadata"}
    acl = s3.get_bucket_acl(Bucket=bucket)
    out["acl"] = {
        "grants": [{"type": g["Grantee"]["Type"], "permission": g["Permission"], "isOwner": g["Grantee"].get("ID") == acl["Owner"]["ID"]} for g in acl["Grants"]],
        "publicRead": error_of(lambda: s3.put_object(Bucket=bucket, Key="pub", Body=b"x", ACL="public-read")),
        "putBucketAclPrivate": error_of(lambda: s3.put_bucket_acl(Bucket=bucket, ACL="private")),
    }

    # 7. s3-tests teardown: delete every listed version, then the bucket.
    objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in s3.list_object_versions(Bucket=bucket).get("Versions", [])]
    deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})
    out["teardown"] = {
        "deleted": len(deleted.get("Deleted", [])),
        "listed": len(objects),
        "errors": deleted.get("Errors", []),
        "deleteBucket": error_of(lambda: s3.delete_bucket(Bucket=bucket)),
    }
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
