# {{name}}: the graded checks. `points = 0` marks setup runs; every other run must fail on the
# untouched starter (keyform lab check says which do not).

run "provision" {
  points = 0
}

run "rotation_is_on" {
  command = none
  points  = 1

  action "status" {
    call   = "kms:GetKeyRotationStatus"
    params = { KeyId = aws_kms_key.lab.key_id }
  }

  assert {
    condition     = action.status.KeyRotationEnabled
    error_message = "Goal 1: turn on automatic rotation for the lab key (enable_key_rotation = true)."
  }
}

run "alias_names_the_key" {
  command = none
  points  = 2

  action "encrypt" {
    call   = "kms:Encrypt"
    params = { KeyId = "alias/{{name}}", Plaintext = "hello" }
  }

  assert {
    condition     = action.encrypt.KeyId == aws_kms_key.lab.arn
    error_message = "Goal 2: the alias alias/{{name}} must name the lab key (aws_kms_alias \"lab\")."
  }
}
