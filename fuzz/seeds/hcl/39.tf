resource "aws_iam_user" "u" {
  name = jion("-", ["lab", "user"])
}
