locals {
  prefix = "lab"
}

resource "aws_iam_user" "u" {
  name = "${local.prefx}-user"
}
