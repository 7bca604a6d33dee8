# Key rotation lab: complete every TODO. Keep the resource names: the tests use them.

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
  default = "photo-sharing-lab-encrypted"
}

data "aws_caller_identity" "current" {}

resource "aws_kms_key" "lab" {
  description             = "lab-key: customer managed symmetric key for S3"
  deletion_window_in_days = 30
  # TODO: a key policy making you key administrator and key user (keep the account root statement).
  # TODO: enable automatic rotation.
}

# TODO: the alias alias/lab-key (aws_kms_alias "lab").

resource "aws_s3_bucket" "photos" {
  bucket = var.bucket_name
}

# TODO: SSE-KMS default encryption with lab-key (aws_s3_bucket_server_side_encryption_configuration "photos").

output "key_id" {
  value = aws_kms_key.lab.key_id
}
