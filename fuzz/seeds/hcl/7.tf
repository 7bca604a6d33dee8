# KMS monitoring lab: complete every TODO. Keep the resource names: the tests use them.

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
  type    = list(string)
  default = ["soc-analyst"]
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

resource "aws_iam_user" "analyst" {
  name = "soc-analyst"
}

resource "aws_iam_user_policy_attachment" "analyst_s3" {
  user       = aws_iam_user.analyst.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
}

resource "aws_kms_key" "first" {
  description             = "myFirstKey"
  deletion_window_in_days = 7
  # TODO: a key policy keeping the account root and allowing var.key_users to use the key.
}

# TODO: alias/myFirstKey (aws_kms_alias "first").

resource "aws_s3_bucket" "data" {
  bucket = var.data_bucket
}

# TODO: SSE-KMS default encryption with myFirstKey, the public access block switched off and a
#       public-read bucket policy (aws_s3_bucket_public_access_block "data",
#       aws_s3_bucket_policy "data_public_read").

resource "aws_s3_bucket" "trail" {
  bucket        = var.trail_bucket
  force_destroy = true
}

# TODO: the CloudTrail bucket policy and the trail kms-key-usage-trail (aws_cloudtrail "monitoring")
#       with an event selector for the data bucket's objects.
