# AeroSecure lab, goal 4: once the window has passed, the key and everything encrypted under it
# are gone for good.

run "provision" {
  points = 0

  action "key" {
    call   = "kms:DescribeKey"
    params = { KeyId = aws_kms_key.aerosecure.arn }
  }

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

run "after_the_window_the_data_is_gone" {
  command = destroy
  points  = 2

  action "eight_days" {
    call   = "clock:Advance"
    params = { Duration = "8d" }
  }

  action "key" {
    call         = "kms:DescribeKey"
    params       = { KeyId = run.provision.action.key.KeyMetadata.Arn }
    expect_error = "NotFoundException"
  }

  action "read" {
    call         = "s3:GetObject"
    params       = { Bucket = "aerosecure-evidence", Key = "secret.txt" }
    expect_error = "KMS.NotFoundException"
  }
}
