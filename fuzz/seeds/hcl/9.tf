# KMS access control lab: complete every TODO. Keep the resource names: the tests use them.

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

# TODO: give S3-KMS-Admin-User AmazonS3FullAccess too (aws_iam_user_policy_attachment "s3_kms_admin_full_access").

resource "aws_kms_key" "s3" {
  description             = "my-s3-encryption-key"
  deletion_window_in_days = 7
  # TODO: a key policy that keeps the account root and adds S3-KMS-Admin-User as a key user.
}

resource "aws_kms_alias" "s3" {
  name          = "alias/my-s3-encryption-key"
  target_key_id = aws_kms_key.s3.key_id
}

resource "aws_s3_bucket" "demo" {
  bucket = var.bucket_name
}

# TODO: default encryption of the bucket with the key (aws_s3_bucket_server_side_encryption_configuration "demo").
