# AeroSecure: a customer managed KMS key as the default encryption of a sensitive bucket,
# with a short, cancellable deletion window.

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
  type        = string
  default     = "us-east-1"
  description = "Region of the lab."
}

variable "bucket_name" {
  type        = string
  default     = "aerosecure-sensitive-data"
  description = "Name of the bucket holding AeroSecure's sensitive files."

  validation {
    condition     = length(var.bucket_name) >= 3 && length(var.bucket_name) <= 63
    error_message = "Bucket names must be 3 to 63 characters long."
  }
}

variable "deletion_window_in_days" {
  type        = number
  default     = 7
  description = "Days KMS waits before deleting the key once deletion is scheduled (7-30)."
}

resource "aws_kms_key" "aerosecure" {
  description             = "AeroSecure customer managed key for S3 default encryption"
  deletion_window_in_days = var.deletion_window_in_days
  enable_key_rotation     = true

  tags = {
    Project = "AeroSecure"
  }
}

resource "aws_kms_alias" "aerosecure" {
  name          = "alias/aerosecure-s3"
  target_key_id = aws_kms_key.aerosecure.key_id
}

resource "aws_s3_bucket" "sensitive" {
  bucket = var.bucket_name

  tags = {
    Project = "AeroSecure"
  }
}

resource "aws_s3_bucket_public_access_block" "sensitive" {
  bucket                  = aws_s3_bucket.sensitive.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "sensitive" {
  bucket = aws_s3_bucket.sensitive.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.aerosecure.arn
    }
    # Bucket keys cut KMS calls; they are not available with DSSE-KMS (aws:kms:dsse).
    bucket_key_enabled = true
  }
}

output "key_arn" {
  description = "ARN of the AeroSecure key."
  value       = aws_kms_key.aerosecure.arn
}

output "key_alias" {
  value = aws_kms_alias.aerosecure.name
}

output "bucket_name" {
  value = aws_s3_bucket.sensitive.id
}
