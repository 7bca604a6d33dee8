variables {
  bucket_name = "grade-fixture-bucket"
}

run "provision" {
  assert {
    condition     = aws_kms_key.lab.enable_key_rotation
    error_message = "rotation must be enabled on the lab key"
  }
}

run "uploads_use_the_lab_key" {
  command = none
  points  = 2

  action "upload" {
    call   = "s3:PutObject"
    params = { Bucket = var.bucket_name, Key = "test.txt", Body = "kms encryption test file" }
  }

  action "admin_reads" {
    call         = "s3:GetObject"
    as           = "S3-Admin-User"
    params       = { Bucket = var.bucket_name, Key = "test.txt" }
    expect_error = "AccessDenied"
  }

  action "owner_reads" {
    call   = "s3:GetObject"
    params = { Bucket = var.bucket_name, Key = "test.txt" }
  }

  assert {
    condition     = action.upload.ServerSideEncryption == "aws:kms" && action.upload.SSEKMSKeyId == output.key_arn
    error_message = "uploads must default to SSE-KMS with the lab key"
  }

  assert {
    condition     = action.owner_reads.Body == "kms encryption test file" && action.owner_reads.BodyBase64 == base64encode("kms encryption test file")
    error_message = "the owner must read back what was uploaded"
  }
}
