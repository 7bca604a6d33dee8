# Application role lab: complete every TODO. Keep the resource names: the tests use them.

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

data "aws_caller_identity" "current" {}

# The identity the application runs as on its host.
resource "aws_iam_user" "app_host" {
  name = "app-host"
}

resource "aws_kms_key" "payments" {
  description             = "payments application data key"
  deletion_window_in_days = 7
}

resource "aws_kms_alias" "payments" {
  name          = "alias/payments-app"
  target_key_id = aws_kms_key.payments.key_id
}

# Another team's key: the application must not be able to use it.
resource "aws_kms_key" "reports" {
  description             = "reporting data key"
  deletion_window_in_days = 7
}

resource "aws_kms_alias" "reports" {
  name          = "alias/reports"
  target_key_id = aws_kms_key.reports.key_id
}

resource "aws_iam_role" "payments_app" {
  name = "payments-app"
  # TODO: trust only the app-host user (aws_iam_user.app_host.arn), not the whole account.
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
    }]
  })
}

# TODO: an inline policy for the role (aws_iam_role_policy "payments_kms") allowing
# kms:Encrypt, kms:Decrypt and kms:GenerateDataKey on the payments key only, and only when the
# encryption context is exactly { app = "payments" } (conditions on kms:EncryptionContext:app
# and kms:EncryptionContextKeys).

output "role_arn" {
  value = aws_iam_role.payments_app.arn
}

output "key_arn" {
  value = aws_kms_key.payments.arn
}
