# Envelope encryption + CloudTrail lab: complete every TODO. Keep the resource names.

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

variable "data_bucket" {
  type    = string
  default = "envelope-lab-data"
}

variable "trail_bucket" {
  type    = string
  default = "envelope-lab-cloudtrail-logs"
}

data "aws_caller_identity" "current" {}

resource "aws_iam_user" "key_admin" {
  name = "kms-key-admin"
}

resource "aws_iam_user" "app" {
  name = "app-user"
}

resource "aws_iam_user" "analyst" {
  name = "analyst"
}

resource "aws_iam_user_policy_attachment" "app_s3" {
  user       = aws_iam_user.app.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
}

resource "aws_iam_user_policy_attachment" "analyst_s3" {
  user       = aws_iam_user.analyst.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
}

resource "aws_kms_key" "envelope" {
  description             = "Envelope encryption key for data and CloudTrail logs"
  deletion_window_in_days = 7
  # TODO: rotation, and a key policy: account root, key administrators (kms-key-admin),
  #       key users (app-user), and cloudtrail.amazonaws.com allowed kms:GenerateDataKey*.
}

resource "aws_kms_alias" "envelope" {
  name          = "alias/envelope-lab"
  target_key_id = aws_kms_key.envelope.key_id
}

resource "aws_s3_bucket" "data" {
  bucket = var.data_bucket
}

# TODO: SSE-KMS default encryption of the data bucket (aws_s3_bucket_server_side_encryption_configuration "data").

resource "aws_s3_bucket" "trail" {
  bucket        = var.trail_bucket
  force_destroy = true
}

# TODO: SSE-KMS default encryption of the trail bucket, the bucket policy CloudTrail needs
#       (aws_s3_bucket_policy "trail"), and the trail itself (aws_cloudtrail "lab", name
#       envelope-lab-trail) logging management events and the data bucket's object events.
