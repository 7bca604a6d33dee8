# AeroSecure lab: complete every TODO. Keep the resource names: the lab's tests refer to them.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "bucket_name" {
  type    = string
  default = "aerosecure-sensitive-data"
}

resource "aws_kms_key" "aerosecure" {
  description = "AeroSecure customer managed key for S3 default encryption"
  # TODO: set the deletion window required by the security team (7 days).
}

resource "aws_kms_alias" "aerosecure" {
  # TODO: name the alias alias/aerosecure-s3 and point it at the key.
  name          = "alias/TODO"
  target_key_id = aws_kms_key.aerosecure.key_id
}

resource "aws_s3_bucket" "sensitive" {
  bucket = var.bucket_name
}

# TODO: block all public access to the bucket (aws_s3_bucket_public_access_block "sensitive").

# TODO: make SSE-KMS with the AeroSecure key (and a Bucket Key) the bucket's default encryption
#       (aws_s3_bucket_server_side_encryption_configuration "sensitive").
