# KMS monitoring lab: myFirstKey, SSE-KMS objects that refuse anonymous requests, CloudTrail
# evidence of key usage, and key users added and removed through the key policy.

run "key_and_alias" {
  points = 2

  action "key" {
    call   = "kms:DescribeKey"
    params = { KeyId = "alias/myFirstKey" }
  }

  assert {
    condition     = action.key.error == null
    error_message = "Goal 1: no key answers to alias/myFirstKey. Create the alias (aws_kms_alias \"first\")."
  }

  assert {
    condition     = try(action.key.KeyMetadata.KeyManager == "CUSTOMER" && action.key.KeyMetadata.KeySpec == "SYMMETRIC_DEFAULT" && action.key.KeyMetadata.KeyState == "Enabled", false)
    error_message = "Goal 1: myFirstKey must be an enabled, customer managed, symmetric key."
  }
}

run "uploads_are_sse_kms_with_my_first_key" {
  command = none
  points  = 2

  action "upload" {
    call   = "s3:PutObject"
    params = { Bucket = var.data_bucket, Key = "report.txt", Body = "quarterly security report" }
  }

  assert {
    condition     = action.upload.ServerSideEncryption == "aws:kms" && try(action.upload.SSEKMSKeyId == aws_kms_key.first.arn, false)
    error_message = "Goal 3: objects in the data bucket must default to SSE-KMS under myFirstKey."
  }
}

run "anonymous_requests_are_refused" {
  command = none
  points  = 2

  action "public_read" {
    call         = "s3:GetObject"
    anonymous    = true
    params       = { Bucket = var.data_bucket, Key = "report.txt" }
    expect_error = "InvalidArgument"
  }
}

run "cloudtrail_logs_key_usage" {
  command = none
  points  = 3

  action "status" {
    call   = "cloudtrail:GetTrailStatus"
    params = { Name = "kms-key-usage-trail" }
  }

  action "events" {
    call   = "cloudtrail:LookupEvents"
    params = { LookupAttributes = [{ AttributeKey = "ResourceName", AttributeValue = aws_kms_key.first.arn }] }
  }

  action "log_files" {
    call   = "s3:ListObjectsV2"
    params = { Bucket = var.trail_bucket, Prefix = "AWSLogs/123456789012/CloudTrail/us-east-1/" }
  }

  assert {
    condition     = try(action.status.IsLogging, false)
    error_message = "Goal 2: the trail kms-key-usage-trail must exist and be logging."
  }

  assert {
    condition = anytrue([
      for e in try(action.events.Events, []) :
      e.EventName == "GenerateDataKey" && strcontains(try(jsondecode(e.CloudTrailEvent).requestParameters.encryptionContext["aws:s3:arn"], ""), "report.txt")
    ])
    error_message = "Goal 4: CloudTrail must hold the GenerateDataKey event for report.txt, naming myFirstKey and the object in its encryption context."
  }

  assert {
    condition     = try(action.log_files.KeyCount > 0, false)
    error_message = "Goal 2: the trail must deliver log files to its bucket under AWSLogs/<account>/CloudTrail/<region>/."
  }
}

run "key_user_reads" {
  command = none
  points  = 0 # shows AWS behaviour the untouched starter already has: not a goal

  action "analyst_reads" {
    call   = "s3:GetObject"
    as     = "soc-analyst"
    params = { Bucket = var.data_bucket, Key = "report.txt" }
  }

  assert {
    condition     = try(action.analyst_reads.Body == "quarterly security report", false)
    error_message = "Goal 1: soc-analyst, a key user by default, must read the report."
  }
}

run "removing_the_key_user_denies" {
  points = 2

  variables {
    key_users = []
  }

  action "analyst_reads" {
    call         = "s3:GetObject"
    as           = "soc-analyst"
    params       = { Bucket = var.data_bucket, Key = "report.txt" }
    expect_error = "AccessDenied"
  }
}

run "re_adding_the_key_user_allows" {
  points = 0 # shows AWS behaviour the untouched starter already has: not a goal

  action "analyst_reads" {
    call   = "s3:GetObject"
    as     = "soc-analyst"
    params = { Bucket = var.data_bucket, Key = "report.txt" }
  }

  assert {
    condition     = try(action.analyst_reads.Body == "quarterly security report", false)
    error_message = "Goal 1: adding soc-analyst back to key_users must restore its access."
  }
}
