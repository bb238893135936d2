"""The recipe of docs/bucket-keys.md "Reading with a stock ESDK", in the Python ESDK.

Reads one JSON job on stdin:
  {
    "kms": {"endpoint": "http://127.0.0.1:PORT", "region": "us-east-1"} | null,
    "bucketKey": "<base64>" | null,       # already unwrapped (the in-process KMS case)
    "blob": {"ciphertext": "<base64>", "keyId": "<arn>", "context": {...}},
    "keyName": "<32 hex>",
    "messages": ["<base64>", ...]
  }
Step 1: one KMS Decrypt of the blob (boto3) unless bucketKey is given.
Step 2: a stock raw AES master key (namespace sealflow-bucket-data-key, the key name,
        the bucket key) decrypts every message, one-shot and streaming.
Prints {"kmsDecrypts": n, "results": [{"oneShot": sha256, "streamed": sha256, "context": {...}}]}.
Only the ESDK's public API is used; nothing here knows sealflow's format.
"""

import base64
import hashlib
import io
import json
import sys

import aws_encryption_sdk
from aws_encryption_sdk.identifiers import CommitmentPolicy, EncryptionKeyType, WrappingAlgorithm
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.raw import RawMasterKey

NAMESPACE = "sealflow-bucket-data-key"


def bucket_key(job):
    if job.get("bucketKey") is not None:
        return base64.b64decode(job["bucketKey"]), 0
    import boto3

    kms = boto3.client(
        "kms",
        endpoint_url=job["kms"]["endpoint"],
        region_name=job["kms"]["region"],
        aws_access_key_id="AKIDSEALFLOWTEST",
        aws_secret_access_key="sealflow-test-secret",
    )
    blob = job["blob"]
    out = kms.decrypt(
        CiphertextBlob=base64.b64decode(blob["ciphertext"]),
        KeyId=blob["keyId"],
        EncryptionContext=blob["context"],
    )
    return out["Plaintext"], 1


def main():
    job = json.load(sys.stdin)
    key, calls = bucket_key(job)
    master_key = RawMasterKey(
        provider_id=NAMESPACE,
        key_id=job["keyName"].encode("utf-8"),
        wrapping_key=WrappingKey(
            wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
            wrapping_key=key,
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        ),
    )
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    results = []
    for encoded in job["messages"]:
        message = base64.b64decode(encoded)
        plaintext, header = client.decrypt(source=message, key_provider=master_key)
        streamed = hashlib.sha256()
        with client.stream(mode="d", source=io.BytesIO(message), key_provider=master_key) as decryptor:
            for chunk in decryptor:
                streamed.update(chunk)
        results.append(
            {
                "oneShot": hashlib.sha256(plaintext).hexdigest(),
                "streamed": streamed.hexdigest(),
                "context": dict(header.encryption_context),
            }
        )
    json.dump({"kmsDecrypts": calls, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
