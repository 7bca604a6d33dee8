# An application role that may only encrypt and decrypt with one key, under one encryption context.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

# The identity the application runs as on its host (in AWS, often an instance or a pod).
resource "aws_iam_user" "app_host" {
  name = "app-host"
}

# The application's key. Its key policy is the default one (the account root), so IAM
# policies in the account, the role's included, decide who may use it.
resource "aws_kms_key" "payments" {
  description             = "payments application data key"
  deletion_window_in_days = 7
}

resource "aws_kms_alias" "payments" {
  name          = "alias/payments-app"
  target_key_id = aws_kms_key.payments.key_id
}

# Another team's key in the same account: the application must not be able to use it.
resource "aws_kms_key" "reports" {
  description             = "reporting data key"
  deletion_window_in_days = 7
}

resource "aws_kms_alias" "reports" {
  name          = "alias/reports"
  target_key_id = aws_kms_key.reports.key_id
}

# Goal 1: only app-host may assume the role. Naming the user in the trust policy lets it in
# without any permission of its own; nobody else (not even an administrator) gets in.
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_user.app_host.arn]
    }
  }
}

resource "aws_iam_role" "payments_app" {
  name                 = "payments-app"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
}

# Goals 2-4: encrypt, decrypt and make data keys with the payments key only, and only when
# the encryption context is exactly { app = "payments" }: the app key must be there with
# that value, and no other key may be.
data "aws_iam_policy_document" "payments_kms" {
  statement {
    sid       = "UseThePaymentsKeyUnderItsContext"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.payments.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:app"
      values   = ["payments"]
    }

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "kms:EncryptionContextKeys"
      values   = ["app"]
    }
  }
}

resource "aws_iam_role_policy" "payments_kms" {
  name   = "payments-kms"
  role   = aws_iam_role.payments_app.id
  policy = data.aws_iam_policy_document.payments_kms.json
}

output "role_arn" {
  value = aws_iam_role.payments_app.arn
}

output "key_arn" {
  value = aws_kms_key.payments.arn
}
