# Key rotation lab: lab-key, who may administer and use it, automatic rotation, the bucket's
# default encryption, and what deleting the key means for data.

run "key_is_customer_managed_symmetric_and_aliased" {
  points = 2

  action "key" {
    call   = "kms:DescribeKey"
    params = { KeyId = "alias/lab-key" }
  }

  assert {
    condition     = action.key.error == null
    error_message = "Task 1: no key answers to alias/lab-key. Create the alias (aws_kms_alias \"lab\")."
  }

  assert {
    condition = try(
      action.key.KeyMetadata.KeyState == "Enabled" && action.key.KeyMetadata.KeyManager == "CUSTOMER" &&
      action.key.KeyMetadata.KeySpec == "SYMMETRIC_DEFAULT" && action.key.KeyMetadata.KeyUsage == "ENCRYPT_DECRYPT",
      false
    )
    error_message = "Task 1: lab-key must be an Enabled, customer managed, symmetric encryption key."
  }
}

run "you_administer_and_use_the_key" {
  command = none
  points  = 2

  action "policy" {
    call   = "kms:GetKeyPolicy"
    params = { KeyId = aws_kms_key.lab.arn, PolicyName = "default" }
  }

  assert {
    condition = anytrue([
      for s in try(jsondecode(action.policy.Policy).Statement, []) :
      strcontains(jsonencode(try(s.Principal, "")), "user/lab-admin") && anytrue([for a in flatten([try(s.Action, [])]) : contains(["kms:Decrypt", "kms:*"], a)])
    ])
    error_message = "Task 1: make yourself (data.aws_caller_identity.current.arn) a key user in the key policy: a statement allowing kms:Decrypt (and the other key-user actions) to you."
  }

  assert {
    condition = anytrue([
      for s in try(jsondecode(action.policy.Policy).Statement, []) :
      strcontains(jsonencode(try(s.Principal, "")), "user/lab-admin") && (
        contains(flatten([try(s.Action, [])]), "kms:*") || (
          contains(flatten([try(s.Action, [])]), "kms:ScheduleKeyDeletion") &&
          contains(flatten([try(s.Action, [])]), "kms:CancelKeyDeletion") &&
          anytrue([for a in flatten([try(s.Action, [])]) : contains(["kms:Put*", "kms:PutKeyPolicy"], a)])
        )
      )
    ])
    error_message = "Task 1: make yourself a key administrator in the key policy: the administrative actions, including kms:Put*, kms:ScheduleKeyDeletion and kms:CancelKeyDeletion."
  }
}

run "automatic_rotation_every_365_days" {
  command = none
  points  = 2

  action "status" {
    call   = "kms:GetKeyRotationStatus"
    params = { KeyId = aws_kms_key.lab.arn }
  }

  assert {
    condition     = action.status.KeyRotationEnabled
    error_message = "Task 2: turn on automatic key rotation (enable_key_rotation = true)."
  }

  assert {
    condition     = try(action.status.RotationPeriodInDays == 365, false)
    error_message = "Task 2: rotation must happen every 365 days."
  }
}

run "bucket_defaults_to_sse_kms_with_lab_key" {
  command = none
  points  = 2

  action "encryption" {
    call   = "s3:GetBucketEncryption"
    params = { Bucket = var.bucket_name }
  }

  action "upload" {
    call   = "s3:PutObject"
    params = { Bucket = var.bucket_name, Key = "photo.txt", Body = "a photo" }
  }

  action "cleanup" {
    call   = "s3:DeleteObject"
    params = { Bucket = var.bucket_name, Key = "photo.txt" }
  }

  assert {
    condition     = try(action.encryption.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm == "aws:kms", false)
    error_message = "Task 3: the bucket's default encryption must be SSE-KMS."
  }

  assert {
    condition     = action.upload.ServerSideEncryption == "aws:kms" && try(action.upload.SSEKMSKeyId == aws_kms_key.lab.arn, false)
    error_message = "Task 3: new objects must be encrypted with lab-key (kms_master_key_id), not the AWS managed aws/s3 key."
  }
}

run "rotation_keeps_old_data_readable" {
  command = none
  points  = 2

  action "before" {
    call   = "kms:Encrypt"
    params = { KeyId = aws_kms_key.lab.arn, Plaintext = "encrypted before the rotation" }
  }

  action "a_year_later" {
    call   = "clock:Advance"
    params = { Duration = "366d" }
  }

  action "rotations" {
    call   = "kms:ListKeyRotations"
    params = { KeyId = aws_kms_key.lab.arn }
  }

  action "old_data" {
    call   = "kms:Decrypt"
    params = { CiphertextBlob = action.before.CiphertextBlob }
  }

  assert {
    condition     = length(try(action.rotations.Rotations, [])) == 1 && try(action.rotations.Rotations[0].RotationType == "AUTOMATIC", false)
    error_message = "Task 2: after 366 days one automatic rotation must have happened."
  }

  assert {
    condition     = try(action.old_data.Plaintext == "encrypted before the rotation", false)
    error_message = "Data encrypted before a rotation must still decrypt: rotation keeps older key material."
  }
}

run "keep_evidence" {
  command = none
  points  = 0

  action "bucket" {
    call   = "s3:CreateBucket"
    params = { Bucket = "rotation-lab-evidence" }
  }

  action "evidence" {
    call   = "s3:PutObject"
    params = { Bucket = "rotation-lab-evidence", Key = "photo.txt", Body = "a photo", ServerSideEncryption = "aws:kms", SSEKMSKeyId = aws_kms_key.lab.arn }
  }
}

run "deleting_the_key_makes_data_permanently_inaccessible" {
  command = destroy
  points  = 0 # shows AWS behaviour the untouched starter already has: not a goal

  action "still_pending" {
    call         = "s3:GetObject"
    params       = { Bucket = "rotation-lab-evidence", Key = "photo.txt" }
    expect_error = "KMS.KMSInvalidStateException"
  }

  action "window_passes" {
    call   = "clock:Advance"
    params = { Duration = "31d" }
  }

  action "gone" {
    call         = "s3:GetObject"
    params       = { Bucket = "rotation-lab-evidence", Key = "photo.txt" }
    expect_error = "KMS.NotFoundException"
  }
}
