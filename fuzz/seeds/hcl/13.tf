resource "aws_iam_user" "u" {
  count    = 2
  for_each = toset(["alice"])
  name     = "user"
}
