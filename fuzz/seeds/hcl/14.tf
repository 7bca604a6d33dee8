resource "aws_kms_key" "lab" {}

resource "aws_iam_user" "u" {
  count = length(aws_kms_key.lab.key_id)
  name  = "user-${count.index}"
}
