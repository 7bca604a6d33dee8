resource "aws_kms_key" "lab" {
  description         = "lab key"
  custom_key_store_id = "cks-1234567890abcdef0"
}
