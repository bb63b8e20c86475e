# Offline: the AWS provider is mocked, so these runs check what the module asks AWS for.
mock_provider "aws" {
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::gatehouse-test-files" }
  }
}

variables {
  bucket_name = "gatehouse-test-files"
}

run "bucket_is_private_and_encrypted" {
  command = apply

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "All four public access blocks are on."
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs are disabled (BucketOwnerEnforced)."
  }

  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.this.rule : r.apply_server_side_encryption_by_default[0].sse_algorithm]) == "AES256"
    error_message = "Objects are encrypted at rest (SSE-S3 by default)."
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning is on."
  }

  assert {
    condition = anytrue([for r in aws_s3_bucket_lifecycle_configuration.this.rule :
    r.status == "Enabled" && try(r.abort_incomplete_multipart_upload[0].days_after_initiation, 0) == 7])
    error_message = "Incomplete multipart uploads are aborted after 7 days."
  }

  assert {
    condition     = !aws_s3_bucket.this.force_destroy
    error_message = "The bucket is not destroyed with its objects unless asked."
  }
}

run "bucket_policy_refuses_plain_http_and_grants_nothing" {
  command = apply

  assert {
    condition     = alltrue([for s in jsondecode(aws_s3_bucket_policy.this.policy).Statement : s.Effect == "Deny"])
    error_message = "The bucket policy only denies; access comes from IAM roles."
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this.policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false"
    error_message = "Requests without TLS are denied."
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this.policy).Statement[0].Resource == ["arn:aws:s3:::gatehouse-test-files", "arn:aws:s3:::gatehouse-test-files/*"]
    error_message = "The TLS rule covers the bucket and its objects."
  }
}

run "a_kms_key_switches_to_sse_kms" {
  command = apply

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-0b0a-0908-0706-050403020100"
  }

  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.this.rule : r.apply_server_side_encryption_by_default[0].sse_algorithm]) == "aws:kms"
    error_message = "A given key means SSE-KMS."
  }
}
