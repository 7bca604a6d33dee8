# A bucket that is always SSE-KMS with its own key, rotation on, public access blocked.

variable "name" {
  type        = string
  description = "The bucket's name."

  validation {
    condition     = length(var.name) >= 3 && length(var.name) <= 63
    error_message = "A bucket name has 3 to 63 characters."
  }
}

resource "aws_kms_key" "this" {
  description             = "Key of bucket ${var.name}"
  deletion_window_in_days = 7
  enable_key_rotation     = true
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

output "bucket" {
  value = aws_s3_bucket.this.id
}

output "key_arn" {
  value = aws_kms_key.this.arn
}

output "public_access_block_id" {
  value = aws_s3_bucket_public_access_block.this.id
}
