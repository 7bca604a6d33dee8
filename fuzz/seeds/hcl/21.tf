resource "aws_kms_key" "lab" {}

resource "aws_kms_alias" "lab" {
  name          = "lab-key"
  target_key_id = aws_kms_key.lab.key_id
}
