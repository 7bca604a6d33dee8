# After a key's deletion window passes, objects encrypted under it can no longer be read.

run "provision" {}

run "deletion_is_final" {
  command = none

  action "upload" {
    call   = "s3:PutObject"
    params = { Bucket = var.bucket_name, Key = "doomed.txt", Body = "soon unreadable" }
  }

  action "schedule" {
    call   = "kms:ScheduleKeyDeletion"
    params = { KeyId = aws_kms_key.lab.key_id, PendingWindowInDays = 7 }
  }

  action "read_while_pending" {
    call         = "s3:GetObject"
    params       = { Bucket = var.bucket_name, Key = "doomed.txt" }
    expect_error = "KMS.KMSInvalidStateException"
  }

  action "one_week_later" {
    call   = "clock:Advance"
    params = { Duration = "8d" }
  }

  action "read_after_deletion" {
    call         = "s3:GetObject"
    params       = { Bucket = var.bucket_name, Key = "doomed.txt" }
    expect_error = "KMS.NotFoundException"
  }

  assert {
    condition     = action.read_after_deletion.error == "KMS.NotFoundException"
    error_message = "the object must be unreadable once the key is deleted"
  }

  assert {
    condition     = action.one_week_later.Now == "2026-01-09T00:00:00Z" && length(action.one_week_later.Events) == 1
    error_message = "the clock must move 8 days and delete the key"
  }
}
