# {{name}}: complete the TODOs, then run `keyform test`.

provider "aws" {
  region = "us-east-1"
}

resource "aws_kms_key" "lab" {
  description             = "{{name}} lab key"
  deletion_window_in_days = 7
  # TODO (goal 1): turn on automatic rotation.
}

# TODO (goal 2): an aws_kms_alias "lab" named alias/{{name}} that targets the key.
