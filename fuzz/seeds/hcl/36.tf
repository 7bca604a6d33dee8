resource "aws_iam_user" "u" {
  name = var.user_name
}
