resource "aws_kms_alias" "lab" {
  name = "alias/lab"
}
