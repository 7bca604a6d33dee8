resource "aws_iam_user" "a" {
  name = "${aws_iam_user.b.name}-a"
}

locals {
  b_name = "${aws_iam_user.a.name}-b"
}

resource "aws_iam_user" "b" {
  name = local.b_name
}
