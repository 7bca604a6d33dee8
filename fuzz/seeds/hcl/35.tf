variable "bucket_name" {
  default = "kf-invalid-var"
}

resource "aws_s3_bucket" "b" {
  bucket = var.bucket_name
}
