# Plans, expected validation failures, run outputs and destroy.

run "short_names_are_rejected" {
  command = plan

  variables {
    bucket_name = "x"
  }

  expect_failures = [var.bucket_name]
}

run "plan_knows_configured_values" {
  command = plan

  assert {
    condition     = aws_kms_key.lab.enable_key_rotation && aws_s3_bucket.data.bucket == "grade-fixture-bucket"
    error_message = "the plan must enable rotation on the lab key"
  }
}

run "provision" {}

run "destroy_schedules_deletion" {
  command = destroy

  action "describe" {
    call   = "kms:DescribeKey"
    params = { KeyId = run.provision.key_arn }
  }

  assert {
    condition     = action.describe.KeyMetadata.KeyState == "PendingDeletion"
    error_message = "destroying the configuration must schedule the key's deletion"
  }
}
