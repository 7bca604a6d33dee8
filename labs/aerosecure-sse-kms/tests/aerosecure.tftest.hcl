# AeroSecure lab, goals 1-3: the key, the bucket's default encryption, uploads, public access.

run "symmetric_key_with_alias" {
  points = 2

  action "key" {
    call   = "kms:DescribeKey"
    params = { KeyId = "alias/aerosecure-s3" }
  }

  assert {
    condition     = action.key.error == null
    error_message = "Goal 1: no key answers to alias/aerosecure-s3. Create the alias (aws_kms_alias) and point it at the key."
  }

  assert {
    condition     = try(action.key.KeyMetadata.KeySpec == "SYMMETRIC_DEFAULT" && action.key.KeyMetadata.KeyUsage == "ENCRYPT_DECRYPT", false)
    error_message = "Goal 1: the key must be a symmetric encryption key (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT)."
  }

  assert {
    condition     = try(action.key.KeyMetadata.KeyState == "Enabled" && action.key.KeyMetadata.KeyManager == "CUSTOMER", false)
    error_message = "Goal 1: the key must be an enabled, customer managed key."
  }
}

run "bucket_default_encryption_is_sse_kms" {
  command = none
  points  = 2

  action "key" {
    call   = "kms:DescribeKey"
    params = { KeyId = aws_kms_key.aerosecure.arn }
  }

  action "encryption" {
    call   = "s3:GetBucketEncryption"
    params = { Bucket = var.bucket_name }
  }

  assert {
    condition     = try(action.encryption.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm == "aws:kms", false)
    error_message = "Goal 2: the bucket's default encryption must be SSE-KMS (sse_algorithm = \"aws:kms\")."
  }

  assert {
    condition = try(contains(
      [action.key.KeyMetadata.Arn, action.key.KeyMetadata.KeyId, "alias/aerosecure-s3", "arn:aws:kms:us-east-1:123456789012:alias/aerosecure-s3"],
      action.encryption.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID
    ), false)
    error_message = "Goal 2: the default encryption must use the AeroSecure key (kms_master_key_id), not the AWS managed aws/s3 key."
  }

  assert {
    condition     = try(action.encryption.ServerSideEncryptionConfiguration.Rules[0].BucketKeyEnabled, false)
    error_message = "Goal 2: enable an S3 Bucket Key (bucket_key_enabled = true) to cut KMS calls."
  }
}

run "uploads_are_encrypted_with_the_key" {
  command = none
  points  = 2

  action "key" {
    call   = "kms:DescribeKey"
    params = { KeyId = aws_kms_key.aerosecure.arn }
  }

  action "upload" {
    call   = "s3:PutObject"
    params = { Bucket = var.bucket_name, Key = "verify/flight-plan.txt", Body = "AeroSecure flight plan" }
  }

  action "head" {
    call   = "s3:HeadObject"
    params = { Bucket = var.bucket_name, Key = "verify/flight-plan.txt" }
  }

  assert {
    condition     = action.head.ServerSideEncryption == "aws:kms" && try(action.head.SSEKMSKeyId == action.key.KeyMetadata.Arn, false)
    error_message = "Goal 2: a file uploaded without encryption headers must come back encrypted with SSE-KMS under the AeroSecure key."
  }

  assert {
    condition     = try(action.head.BucketKeyEnabled, false)
    error_message = "Goal 2: uploads must use the S3 Bucket Key."
  }
}

run "public_access_is_blocked" {
  command = none

  assert {
    condition = try(alltrue([
      aws_s3_bucket_public_access_block.sensitive.block_public_acls,
      aws_s3_bucket_public_access_block.sensitive.block_public_policy,
      aws_s3_bucket_public_access_block.sensitive.ignore_public_acls,
      aws_s3_bucket_public_access_block.sensitive.restrict_public_buckets,
    ]) && aws_s3_bucket_public_access_block.sensitive.bucket == aws_s3_bucket.sensitive.id, false)
    error_message = "Goal 3: block all public access to the bucket with aws_s3_bucket_public_access_block \"sensitive\" (all four settings true)."
  }
}
