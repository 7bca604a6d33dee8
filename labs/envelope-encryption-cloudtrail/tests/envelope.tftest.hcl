# Envelope encryption lab: key roles, data keys, SSE-KMS as the caller, and CloudTrail.

run "provision" {
  points = 0
}

run "key_roles_and_rotation" {
  command = none
  points  = 2

  action "policy" {
    call   = "kms:GetKeyPolicy"
    params = { KeyId = aws_kms_key.envelope.arn, PolicyName = "default" }
  }

  action "rotation" {
    call   = "kms:GetKeyRotationStatus"
    params = { KeyId = aws_kms_key.envelope.arn }
  }

  assert {
    condition = anytrue([
      for s in try(jsondecode(action.policy.Policy).Statement, []) :
      strcontains(jsonencode(try(s.Principal, "")), "user/kms-key-admin") && contains(flatten([try(s.Action, [])]), "kms:ScheduleKeyDeletion")
    ])
    error_message = "Goal 1: kms-key-admin must be a key administrator in the key policy (including kms:ScheduleKeyDeletion)."
  }

  assert {
    condition = anytrue([
      for s in try(jsondecode(action.policy.Policy).Statement, []) :
      strcontains(jsonencode(try(s.Principal, "")), "user/app-user") && contains(flatten([try(s.Action, [])]), "kms:Decrypt")
    ])
    error_message = "Goal 1: app-user must be a key user in the key policy (kms:Decrypt, kms:GenerateDataKey*, ...)."
  }

  assert {
    condition     = !strcontains(try(action.policy.Policy, ""), "user/analyst")
    error_message = "Goal 1: the analyst must not be named in the key policy: it is the user who must not read the data."
  }

  assert {
    condition = anytrue([
      for s in try(jsondecode(action.policy.Policy).Statement, []) :
      strcontains(jsonencode(try(s.Principal, "")), "cloudtrail.amazonaws.com") && anytrue([for a in flatten([try(s.Action, [])]) : startswith(a, "kms:GenerateDataKey")])
    ])
    error_message = "Goal 1: allow the cloudtrail.amazonaws.com service kms:GenerateDataKey* in the key policy, so CloudTrail can encrypt its log files."
  }

  assert {
    condition     = action.rotation.KeyRotationEnabled
    error_message = "Goal 1: turn on automatic rotation of the key."
  }
}

run "data_keys_are_envelopes" {
  command = none
  points  = 0 # shows AWS behaviour the untouched starter already has: not a goal

  action "data_key" {
    call   = "kms:GenerateDataKey"
    params = { KeyId = aws_kms_key.envelope.arn, KeySpec = "AES_256" }
  }

  action "unwrap" {
    call   = "kms:Decrypt"
    params = { CiphertextBlob = action.data_key.CiphertextBlob }
  }

  assert {
    condition     = length(action.data_key.PlaintextBase64) == 44 && endswith(action.data_key.PlaintextBase64, "=")
    error_message = "GenerateDataKey with AES_256 returns a 32-byte plaintext data key."
  }

  assert {
    condition     = action.unwrap.PlaintextBase64 == action.data_key.PlaintextBase64
    error_message = "The encrypted copy of the data key must decrypt back to the same key: that is the envelope."
  }
}

run "objects_are_sse_kms_under_the_key" {
  command = none
  points  = 2

  action "upload" {
    call   = "s3:PutObject"
    params = { Bucket = var.data_bucket, Key = "image.txt", Body = "an image of the launch pad" }
  }

  assert {
    condition     = action.upload.ServerSideEncryption == "aws:kms" && try(action.upload.SSEKMSKeyId == aws_kms_key.envelope.arn, false)
    error_message = "Goal 2: objects in the data bucket must be encrypted by default with SSE-KMS under the lab key."
  }
}

run "key_user_reads_analyst_is_denied" {
  command = none
  points  = 3

  action "app_reads" {
    call   = "s3:GetObject"
    as     = "app-user"
    params = { Bucket = var.data_bucket, Key = "image.txt" }
  }

  action "analyst_reads" {
    call         = "s3:GetObject"
    as           = "analyst"
    params       = { Bucket = var.data_bucket, Key = "image.txt" }
    expect_error = "AccessDenied"
  }

  assert {
    condition     = try(action.app_reads.Body == "an image of the launch pad", false)
    error_message = "Goal 4: app-user (S3 rights + key user) must read the object's exact bytes."
  }
}

run "cloudtrail_records_and_delivers" {
  command = none
  points  = 3

  action "status" {
    call   = "cloudtrail:GetTrailStatus"
    params = { Name = "envelope-lab-trail" }
  }

  action "selectors" {
    call   = "cloudtrail:GetEventSelectors"
    params = { TrailName = "envelope-lab-trail" }
  }

  action "data_keys" {
    call   = "cloudtrail:LookupEvents"
    params = { LookupAttributes = [{ AttributeKey = "EventName", AttributeValue = "GenerateDataKey" }] }
  }

  action "log_files" {
    call   = "s3:ListObjectsV2"
    params = { Bucket = var.trail_bucket, Prefix = "AWSLogs/123456789012/CloudTrail/us-east-1/" }
  }

  action "a_log_file" {
    call   = "s3:HeadObject"
    params = { Bucket = var.trail_bucket, Key = action.log_files.Contents[0].Key }
  }

  assert {
    condition     = try(action.status.IsLogging, false)
    error_message = "Goal 3: the trail envelope-lab-trail must exist and be logging."
  }

  assert {
    condition = anytrue(flatten([
      for s in try(action.selectors.EventSelectors, []) : [
        for d in try(s.DataResources, []) : d.Type == "AWS::S3::Object" && anytrue([for v in d.Values : startswith("arn:aws:s3:::${var.data_bucket}/", v)])
      ]
    ]))
    error_message = "Goal 3: the trail must record the data bucket's object-level (data) events: add an event_selector with a data_resource for it."
  }

  assert {
    condition = anytrue([
      for e in try(action.data_keys.Events, []) :
      contains(["s3.amazonaws.com", "cloudtrail.amazonaws.com"], try(jsondecode(e.CloudTrailEvent).userIdentity.invokedBy, "")) &&
      anytrue([for r in try(e.Resources, []) : r.ResourceName == aws_kms_key.envelope.arn])
    ])
    error_message = "CloudTrail must show the GenerateDataKey calls made with the lab key on a caller's behalf (S3 for objects, CloudTrail for its own log files): envelope encryption at work."
  }

  assert {
    condition     = try(action.log_files.KeyCount > 0 && action.a_log_file.ServerSideEncryption == "aws:kms" && action.a_log_file.SSEKMSKeyId == aws_kms_key.envelope.arn, false)
    error_message = "Goal 3: CloudTrail must deliver log files under AWSLogs/<account>/CloudTrail/<region>/, encrypted with SSE-KMS under the lab key."
  }
}

run "revoking_key_access_keeps_data_unreadable" {
  command = none
  points  = 2

  action "revoke" {
    call = "kms:PutKeyPolicy"
    params = {
      KeyId      = aws_kms_key.envelope.arn
      PolicyName = "default"
      Policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Sid       = "EnableIAMUserPermissions"
          Effect    = "Allow"
          Principal = { AWS = "arn:aws:iam::123456789012:root" }
          Action    = "kms:*"
          Resource  = "*"
        }]
      })
    }
  }

  action "app_reads" {
    call         = "s3:GetObject"
    as           = "app-user"
    params       = { Bucket = var.data_bucket, Key = "image.txt" }
    expect_error = "AccessDenied"
  }

  action "still_stored" {
    call   = "s3:HeadObject"
    params = { Bucket = var.data_bucket, Key = "image.txt" }
  }

  assert {
    condition     = action.still_stored.ServerSideEncryption == "aws:kms"
    error_message = "The object stays stored and encrypted after the key permission is removed."
  }
}
