resource "aws_kms_key" "lab" {
  description = "lab key"
