resource "aws_s3_bucket" "b" {
  bucket = "kf-invalid-nested"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "sse" {
  bucket = aws_s3_bucket.b.id
  rules {
    bucket_key_enabled = true
  }
}
