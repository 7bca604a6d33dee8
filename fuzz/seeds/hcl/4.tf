# KMS access control: an S3 admin without key rights cannot read SSE-KMS objects; a key user can.

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

variable "bucket_name" {
  type    = string
  default = "kms-demo-encrypted-bucket"
}

data "aws_caller_identity" "current" {}

locals {
  account_root = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"
}

resource "aws_iam_user" "s3_admin" {
  name = "S3-Admin-User"
}

resource "aws_iam_user_policy_attachment" "s3_admin_full_access" {
  user       = aws_iam_user.s3_admin.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
}

resource "aws_iam_user" "s3_kms_admin" {
  name = "S3-KMS-Admin-User"
}

resource "aws_iam_user_policy_attachment" "s3_kms_admin_full_access" {
  user       = aws_iam_user.s3_kms_admin.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
}

# The key policy is what grants key usage: the account root (so IAM policies of the lab's own
# administrator count) and S3-KMS-Admin-User as a key user, as the console's "Add key users" does.
data "aws_iam_policy_document" "key_policy" {
  statement {
    sid       = "EnableIAMUserPermissions"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  statement {
    sid = "AllowUseOfTheKey"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:DescribeKey",
    ]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_user.s3_kms_admin.arn]
    }
  }
}

resource "aws_kms_key" "s3" {
  description             = "my-s3-encryption-key"
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.key_policy.json
}

resource "aws_kms_alias" "s3" {
  name          = "alias/my-s3-encryption-key"
  target_key_id = aws_kms_key.s3.key_id
}

resource "aws_s3_bucket" "demo" {
  bucket = var.bucket_name
}

resource "aws_s3_bucket_server_side_encryption_configuration" "demo" {
  bucket = aws_s3_bucket.demo.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.s3.arn
    }
  }
}

output "bucket_name" {
  value = aws_s3_bucket.demo.id
}

output "key_arn" {
  value = aws_kms_key.s3.arn
}
