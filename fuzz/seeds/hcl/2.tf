# KMS security monitoring: a key (myFirstKey), a CloudTrail trail logging to its own bucket, an
# SSE-KMS bucket whose objects stay unreadable to anonymous requests, and a key user whose access
# follows the key policy.

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

variable "key_users" {
  type        = list(string)
  default     = ["soc-analyst"]
  description = "IAM users allowed to use myFirstKey (remove one to revoke its access)."
}

variable "data_bucket" {
  type    = string
  default = "kms-monitoring-data"
}

variable "trail_bucket" {
  type    = string
  default = "kms-monitoring-trail-logs"
}

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  trail_name = "kms-key-usage-trail"
  trail_arn  = "arn:aws:cloudtrail:us-east-1:${local.account_id}:trail/${local.trail_name}"
}

resource "aws_iam_user" "analyst" {
  name = "soc-analyst"
}

resource "aws_iam_user_policy_attachment" "analyst_s3" {
  user       = aws_iam_user.analyst.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
}

data "aws_iam_policy_document" "key" {
  statement {
    sid       = "EnableIAMUserPermissions"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account_id}:root"]
    }
  }

  dynamic "statement" {
    for_each = length(var.key_users) > 0 ? [1] : []
    content {
      sid       = "AllowKeyUsers"
      actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = [for u in var.key_users : "arn:aws:iam::${local.account_id}:user/${u}"]
      }
    }
  }
}

resource "aws_kms_key" "first" {
  description             = "myFirstKey"
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.key.json
  depends_on              = [aws_iam_user.analyst]
}

resource "aws_kms_alias" "first" {
  name          = "alias/myFirstKey"
  target_key_id = aws_kms_key.first.key_id
}

resource "aws_s3_bucket" "data" {
  bucket = var.data_bucket
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.first.arn
    }
  }
}

# Public read is granted on purpose: SSE-KMS objects still refuse anonymous requests.
resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = false
  restrict_public_buckets = false
}

resource "aws_s3_bucket_policy" "data_public_read" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PublicRead"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.data.arn}/*"
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.data]
}

resource "aws_s3_bucket" "trail" {
  bucket        = var.trail_bucket
  force_destroy = true
}

resource "aws_s3_bucket_policy" "trail" {
  bucket = aws_s3_bucket.trail.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AWSCloudTrailAclCheck"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = aws_s3_bucket.trail.arn
        Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
      },
      {
        Sid       = "AWSCloudTrailWrite"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.trail.arn}/AWSLogs/${local.account_id}/*"
        Condition = {
          StringEquals = {
            "s3:x-amz-acl"  = "bucket-owner-full-control"
            "aws:SourceArn" = local.trail_arn
          }
        }
      },
    ]
  })
}

resource "aws_cloudtrail" "monitoring" {
  name           = local.trail_name
  s3_bucket_name = aws_s3_bucket.trail.id
  enable_logging = true

  event_selector {
    read_write_type           = "All"
    include_management_events = true

    data_resource {
      type   = "AWS::S3::Object"
      values = ["${aws_s3_bucket.data.arn}/"]
    }
  }

  depends_on = [aws_s3_bucket_policy.trail]
}

output "key_id" {
  value = aws_kms_key.first.key_id
}

output "data_bucket" {
  value = aws_s3_bucket.data.id
}
