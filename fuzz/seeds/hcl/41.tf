resource "aws_kms_keys" "lab" {
  description = "lab key"
}
