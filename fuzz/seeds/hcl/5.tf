# KMS key rotation: a customer managed symmetric key with automatic rotation, used as the
# default SSE-KMS key of a bucket.

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
  type        = string
  default     = "photo-sharing-lab-encrypted"
  description = "A globally unique bucket name."
}

variable "rotation_period_in_days" {
  type    = number
  default = 365
}

data "aws_caller_identity" "current" {}

# You (the lab's own IAM identity) are both key administrator and key user.
data "aws_iam_policy_document" "lab_key" {
  statement {
    sid       = "EnableIAMUserPermissions"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid = "AllowKeyAdministration"
    actions = [
      "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
      "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
      "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
    ]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [data.aws_caller_identity.current.arn]
    }
  }

  statement {
    sid       = "AllowUseOfTheKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [data.aws_caller_identity.current.arn]
    }
  }
}

resource "aws_kms_key" "lab" {
  description             = "lab-key: customer managed symmetric key for S3"
  key_usage               = "ENCRYPT_DECRYPT"
  policy                  = data.aws_iam_policy_document.lab_key.json
  enable_key_rotation     = true
  rotation_period_in_days = var.rotation_period_in_days
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "lab" {
  name          = "alias/lab-key"
  target_key_id = aws_kms_key.lab.key_id
}

resource "aws_s3_bucket" "photos" {
  bucket = var.bucket_name
}

resource "aws_s3_bucket_server_side_encryption_configuration" "photos" {
  bucket = aws_s3_bucket.photos.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_alias.lab.arn
    }
  }
}

output "key_id" {
  value = aws_kms_key.lab.key_id
}

output "alias" {
  value = aws_kms_alias.lab.name
}
