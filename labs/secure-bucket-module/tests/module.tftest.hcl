# Secure bucket module lab: each use of the module gets an SSE-KMS bucket with its own rotating
# key and public access blocked.

run "each_bucket_has_its_own_key" {
  points = 2

  assert {
    condition     = module.reports.key_arn != null && module.archive.key_arn != null
    error_message = "Task 1: the module must create its own key (aws_kms_key \"this\") and output its ARN as key_arn."
  }

  assert {
    condition     = module.reports.key_arn != module.archive.key_arn
    error_message = "Task 1: each use of the module must get its own key."
  }
}

run "keys_rotate" {
  command = none
  points  = 2

  action "reports" {
    call   = "kms:GetKeyRotationStatus"
    params = { KeyId = module.reports.key_arn }
  }

  action "archive" {
    call   = "kms:GetKeyRotationStatus"
    params = { KeyId = module.archive.key_arn }
  }

  assert {
    condition     = try(action.reports.KeyRotationEnabled && action.archive.KeyRotationEnabled, false)
    error_message = "Task 1: turn on automatic rotation of the module's key (enable_key_rotation = true)."
  }
}

run "uploads_are_sse_kms_with_the_bucket_key" {
  command = none
  points  = 2

  action "upload" {
    call   = "s3:PutObject"
    params = { Bucket = "acme-reports", Key = "q1.txt", Body = "quarterly report" }
  }

  action "archived" {
    call   = "s3:PutObject"
    params = { Bucket = "acme-archive", Key = "2025.txt", Body = "last year" }
  }

  assert {
    condition     = try(action.upload.ServerSideEncryption == "aws:kms" && action.upload.SSEKMSKeyId == module.reports.key_arn, false)
    error_message = "Task 2: the bucket's default encryption must be SSE-KMS with the module's own key (kms_master_key_id)."
  }

  assert {
    condition     = try(action.archived.SSEKMSKeyId == module.archive.key_arn, false)
    error_message = "Task 2: every use of the module must encrypt with its own key."
  }
}

run "public_access_is_blocked" {
  command = none
  points  = 2

  action "reports" {
    call   = "s3:GetPublicAccessBlock"
    params = { Bucket = "acme-reports" }
  }

  assert {
    condition     = module.reports.public_access_block_id != null && module.archive.public_access_block_id != null
    error_message = "Task 3: the module must manage the bucket's public access block (aws_s3_bucket_public_access_block \"this\") and output its id as public_access_block_id."
  }

  assert {
    condition = try(
      action.reports.PublicAccessBlockConfiguration.BlockPublicAcls &&
      action.reports.PublicAccessBlockConfiguration.BlockPublicPolicy &&
      action.reports.PublicAccessBlockConfiguration.IgnorePublicAcls &&
      action.reports.PublicAccessBlockConfiguration.RestrictPublicBuckets,
      false
    )
    error_message = "Task 3: block every kind of public access (aws_s3_bucket_public_access_block \"this\", all four settings true)."
  }
}
