# A bucket that is always SSE-KMS with its own key, rotation on, public access blocked.

variable "name" {
  type        = string
  description = "The bucket's name."
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

# TODO: the bucket's own key (aws_kms_key "this") with automatic rotation.
# TODO: default encryption SSE-KMS with that key
#       (aws_s3_bucket_server_side_encryption_configuration "this").
# TODO: block every kind of public access (aws_s3_bucket_public_access_block "this").

output "bucket" {
  value = aws_s3_bucket.this.id
}

output "key_arn" {
  # TODO: the ARN of the bucket's key.
  value = null
}

output "public_access_block_id" {
  # TODO: the id of the bucket's aws_s3_bucket_public_access_block "this".
  value = null
}
