# Application role lab: one role, one key, one encryption context.

run "provision" {
  points = 0

  action "assume" {
    call   = "sts:AssumeRole"
    as     = "app-host"
    params = { RoleArn = aws_iam_role.payments_app.arn, RoleSessionName = "provision" }
  }
}

run "only_the_app_host_assumes_the_role" {
  command = none
  points  = 2

  action "app_host_assumes" {
    call   = "sts:AssumeRole"
    as     = "app-host"
    params = { RoleArn = aws_iam_role.payments_app.arn, RoleSessionName = "payments" }
  }

  action "admin_assumes" {
    call         = "sts:AssumeRole"
    params       = { RoleArn = aws_iam_role.payments_app.arn, RoleSessionName = "admin" }
    expect_error = "AccessDenied"
  }

  assert {
    condition     = try(endswith(action.app_host_assumes.AssumedRoleUser.Arn, ":assumed-role/payments-app/payments"), false)
    error_message = "Goal 1: app-host must assume the role payments-app (name aws_iam_user.app_host.arn in its trust policy)."
  }
}

run "the_role_encrypts_and_decrypts_under_its_context" {
  command = none
  points  = 3

  action "assume" {
    call   = "sts:AssumeRole"
    as     = "app-host"
    params = { RoleArn = aws_iam_role.payments_app.arn, RoleSessionName = "payments" }
  }

  action "encrypt" {
    call        = "kms:Encrypt"
    credentials = action.assume.Credentials
    params      = { KeyId = "alias/payments-app", Plaintext = "card 4111 1111 1111 1111", EncryptionContext = { app = "payments" } }
  }

  action "decrypt" {
    call        = "kms:Decrypt"
    credentials = action.assume.Credentials
    params      = { CiphertextBlob = action.encrypt.CiphertextBlob, EncryptionContext = { app = "payments" } }
  }

  action "data_key" {
    call        = "kms:GenerateDataKey"
    credentials = action.assume.Credentials
    params      = { KeyId = "alias/payments-app", KeySpec = "AES_256", EncryptionContext = { app = "payments" } }
  }

  assert {
    condition     = try(action.decrypt.Plaintext == "card 4111 1111 1111 1111", false)
    error_message = "Goal 2: the role must encrypt and decrypt with the payments key under the context { app = \"payments\" } (kms:Encrypt and kms:Decrypt in aws_iam_role_policy \"payments_kms\")."
  }

  assert {
    condition     = try(action.data_key.KeyId == aws_kms_key.payments.arn, false)
    error_message = "Goal 2: the role must make data keys (kms:GenerateDataKey) with the payments key under its context, for envelope encryption."
  }
}

run "any_other_context_is_denied" {
  command = none
  points  = 3

  action "assume" {
    call   = "sts:AssumeRole"
    as     = "app-host"
    params = { RoleArn = aws_iam_role.payments_app.arn, RoleSessionName = "payments" }
  }

  action "no_context" {
    call         = "kms:Encrypt"
    credentials  = action.assume.Credentials
    params       = { KeyId = "alias/payments-app", Plaintext = "no context" }
    expect_error = "AccessDeniedException"
  }

  action "another_app" {
    call         = "kms:Encrypt"
    credentials  = action.assume.Credentials
    params       = { KeyId = "alias/payments-app", Plaintext = "reports", EncryptionContext = { app = "reports" } }
    expect_error = "AccessDeniedException"
  }

  action "extra_pair" {
    call         = "kms:GenerateDataKey"
    credentials  = action.assume.Credentials
    params       = { KeyId = "alias/payments-app", KeySpec = "AES_256", EncryptionContext = { app = "payments", tenant = "other" } }
    expect_error = "AccessDeniedException"
  }

  action "the_right_context" {
    call        = "kms:Encrypt"
    credentials = action.assume.Credentials
    params      = { KeyId = "alias/payments-app", Plaintext = "ok", EncryptionContext = { app = "payments" } }
  }

  assert {
    condition     = action.the_right_context.error == null
    error_message = "Goal 3: the role must still encrypt under { app = \"payments\" }; only other contexts are refused."
  }
}

run "other_keys_are_denied" {
  command = none
  points  = 2

  action "assume" {
    call   = "sts:AssumeRole"
    as     = "app-host"
    params = { RoleArn = aws_iam_role.payments_app.arn, RoleSessionName = "payments" }
  }

  action "reports_key" {
    call         = "kms:Encrypt"
    credentials  = action.assume.Credentials
    params       = { KeyId = "alias/reports", Plaintext = "not mine", EncryptionContext = { app = "payments" } }
    expect_error = "AccessDeniedException"
  }

  action "admin_reports" {
    call   = "kms:Encrypt"
    params = { KeyId = "alias/reports", Plaintext = "the reports team's data", EncryptionContext = { app = "payments" } }
  }

  action "decrypt_reports" {
    call         = "kms:Decrypt"
    credentials  = action.assume.Credentials
    params       = { CiphertextBlob = action.admin_reports.CiphertextBlob, EncryptionContext = { app = "payments" } }
    expect_error = "AccessDeniedException"
  }

  action "own_key" {
    call        = "kms:Encrypt"
    credentials = action.assume.Credentials
    params      = { KeyId = "alias/payments-app", Plaintext = "mine", EncryptionContext = { app = "payments" } }
  }

  assert {
    condition     = action.own_key.error == null
    error_message = "Goal 4: the role must still use the payments key; only other keys are refused."
  }
}

# AWS behaviour, not a goal: the context is bound to the ciphertext. Even an administrator
# allowed every context cannot decrypt with another one.
run "the_context_is_bound_to_the_ciphertext" {
  command = none
  points  = 0

  action "encrypt" {
    call   = "kms:Encrypt"
    params = { KeyId = aws_kms_key.payments.arn, Plaintext = "bound", EncryptionContext = { app = "payments" } }
  }

  action "wrong_context" {
    call         = "kms:Decrypt"
    params       = { CiphertextBlob = action.encrypt.CiphertextBlob, EncryptionContext = { app = "reports" } }
    expect_error = "InvalidCiphertextException"
  }

  action "no_context" {
    call         = "kms:Decrypt"
    params       = { CiphertextBlob = action.encrypt.CiphertextBlob }
    expect_error = "InvalidCiphertextException"
  }
}
