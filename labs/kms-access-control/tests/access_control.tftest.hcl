# KMS access control lab: S3 rights alone do not read SSE-KMS objects; key users do.

run "provision" {
  points = 0

  action "key" {
    call   = "kms:DescribeKey"
    params = { KeyId = aws_kms_key.s3.arn }
  }

  action "upload" {
    call   = "s3:PutObject"
    params = { Bucket = var.bucket_name, Key = "encryption-test-file.txt", Body = "kms encryption test file" }
  }
}

run "uploads_default_to_sse_kms_with_the_lab_key" {
  command = none
  points  = 2

  action "head" {
    call   = "s3:HeadObject"
    params = { Bucket = var.bucket_name, Key = "encryption-test-file.txt" }
  }

  assert {
    condition     = action.head.ServerSideEncryption == "aws:kms" && try(action.head.SSEKMSKeyId == aws_kms_key.s3.arn, false)
    error_message = "Goal 2: objects uploaded to the bucket must be encrypted by default with SSE-KMS under the lab key (aws_s3_bucket_server_side_encryption_configuration \"demo\")."
  }
}

run "s3_admin_without_key_rights_is_denied" {
  command = none
  points  = 3

  action "admin_reads" {
    call         = "s3:GetObject"
    as           = "S3-Admin-User"
    params       = { Bucket = var.bucket_name, Key = "encryption-test-file.txt" }
    expect_error = "AccessDenied"
  }

  action "admin_lists" {
    call   = "s3:ListObjectsV2"
    as     = "S3-Admin-User"
    params = { Bucket = var.bucket_name }
  }

  assert {
    condition     = try(action.admin_lists.KeyCount == 1, false)
    error_message = "S3-Admin-User must keep its S3 rights (AmazonS3FullAccess): it lists the bucket, and only the key refuses it."
  }
}

run "key_user_reads_the_exact_bytes" {
  command = none
  points  = 3

  action "key_user_reads" {
    call   = "s3:GetObject"
    as     = "S3-KMS-Admin-User"
    params = { Bucket = var.bucket_name, Key = "encryption-test-file.txt" }
  }

  assert {
    condition     = try(action.key_user_reads.Body == "kms encryption test file", false)
    error_message = "Goal 1/3: S3-KMS-Admin-User must read the object: give it AmazonS3FullAccess and make it a key user in the key policy."
  }
}

run "only_the_key_user_is_named_in_the_key_policy" {
  command = none

  action "policy" {
    call   = "kms:GetKeyPolicy"
    params = { KeyId = aws_kms_key.s3.arn, PolicyName = "default" }
  }

  assert {
    condition     = strcontains(action.policy.Policy, "user/S3-KMS-Admin-User") && !strcontains(action.policy.Policy, "user/S3-Admin-User")
    error_message = "Goal 1: the key policy must name S3-KMS-Admin-User as a key user, and not S3-Admin-User."
  }

  assert {
    condition     = strcontains(action.policy.Policy, ":root")
    error_message = "Goal 1: keep the account root in the key policy, or nobody can administer the key through IAM."
  }
}

# Cleanup as in the seed: empty the bucket, then destroy.
run "empty_the_bucket" {
  command = none
  points  = 0

  action "delete" {
    call   = "s3:DeleteObject"
    params = { Bucket = var.bucket_name, Key = "encryption-test-file.txt" }
  }
}

run "cleanup_schedules_the_key_deletion" {
  command = destroy
  points  = 0 # shows AWS behaviour the untouched starter already has: not a goal

  action "key" {
    call   = "kms:DescribeKey"
    params = { KeyId = run.provision.action.key.KeyMetadata.Arn }
  }

  assert {
    condition     = action.key.KeyMetadata.KeyState == "PendingDeletion" && try(action.key.KeyMetadata.PendingDeletionWindowInDays == 7, false)
    error_message = "Goal 4: cleanup must schedule the key's deletion with a 7-day window (deletion_window_in_days = 7)."
  }
}
