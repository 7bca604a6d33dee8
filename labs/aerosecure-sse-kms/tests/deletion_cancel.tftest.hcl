# AeroSecure lab, goal 4: destroying the key schedules its deletion with a 7-day window, during
# which the data is unreadable but the deletion can still be cancelled.

run "provision" {
  points = 0

  action "key" {
    call   = "kms:DescribeKey"
    params = { KeyId = aws_kms_key.aerosecure.arn }
  }

  # Evidence kept outside the lab's own bucket (destroy removes that one).
  action "evidence_bucket" {
    call   = "s3:CreateBucket"
    params = { Bucket = "aerosecure-evidence" }
  }

  action "evidence" {
    call = "s3:PutObject"
    params = {
      Bucket               = "aerosecure-evidence"
      Key                  = "secret.txt"
      Body                 = "encrypted under the AeroSecure key"
      ServerSideEncryption = "aws:kms"
      SSEKMSKeyId          = action.key.KeyMetadata.Arn
    }
  }
}

run "destroy_schedules_a_7_day_deletion" {
  command = destroy
  points  = 2

  action "key" {
    call   = "kms:DescribeKey"
    params = { KeyId = run.provision.action.key.KeyMetadata.Arn }
  }

  assert {
    condition     = action.key.KeyMetadata.KeyState == "PendingDeletion"
    error_message = "Goal 4: destroy must schedule the key's deletion (KeyState PendingDeletion), not leave it enabled."
  }

  assert {
    condition     = try(action.key.KeyMetadata.PendingDeletionWindowInDays == 7, false)
    error_message = "Goal 4: the deletion window must be 7 days (deletion_window_in_days = 7)."
  }
}

run "six_days_later_data_is_locked_but_recoverable" {
  command = none
  points  = 0 # shows AWS behaviour the untouched starter already has: not a goal

  action "six_days" {
    call   = "clock:Advance"
    params = { Duration = "6d" }
  }

  action "key" {
    call   = "kms:DescribeKey"
    params = { KeyId = run.provision.action.key.KeyMetadata.Arn }
  }

  action "read" {
    call         = "s3:GetObject"
    params       = { Bucket = "aerosecure-evidence", Key = "secret.txt" }
    expect_error = "KMS.KMSInvalidStateException"
  }

  action "cancel" {
    call   = "kms:CancelKeyDeletion"
    params = { KeyId = run.provision.action.key.KeyMetadata.Arn }
  }

  action "after_cancel" {
    call   = "kms:DescribeKey"
    params = { KeyId = run.provision.action.key.KeyMetadata.Arn }
  }

  assert {
    condition     = action.key.KeyMetadata.KeyState == "PendingDeletion"
    error_message = "Goal 4: six days into a 7-day window the key must still be pending deletion."
  }

  assert {
    condition     = action.after_cancel.KeyMetadata.KeyState == "Disabled"
    error_message = "Cancelling a scheduled deletion leaves the key Disabled, as in AWS."
  }
}
