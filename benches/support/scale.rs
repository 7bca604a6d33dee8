//! The scale generator: a configuration with `n` of each lab building block, cross-referenced
//! like a real lab. Each unit is 7 resources: a KMS key with rotation, its alias, a bucket, the
//! bucket's SSE-KMS default (bucket key on), an IAM user, a customer managed policy granting
//! the user the bucket and the key, and the attachment.

/// Resources per unit of [`generate`].
pub(crate) const RESOURCES_PER_UNIT: usize = 7;

/// Configuration text with `n` units (`n * 7` resources).
pub(crate) fn generate(n: usize) -> String {
    let mut out = String::with_capacity(n * 1100 + 64);
    out.push_str("provider \"aws\" {\n  region = \"us-east-1\"\n}\n");
    for i in 0..n {
        out.push_str(&format!(
            r#"
resource "aws_kms_key" "k{i}" {{
  description             = "key {i}"
  deletion_window_in_days = 7
  enable_key_rotation     = true
}}

resource "aws_kms_alias" "a{i}" {{
  name          = "alias/scale-{i}"
  target_key_id = aws_kms_key.k{i}.key_id
}}

resource "aws_s3_bucket" "b{i}" {{
  bucket = "scale-bucket-{i}"
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k{i}.arn
    }}
    bucket_key_enabled = true
  }}
}}

resource "aws_iam_user" "u{i}" {{
  name = "user-{i}"
}}

resource "aws_iam_policy" "p{i}" {{
  name = "policy-{i}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject", "kms:Decrypt", "kms:GenerateDataKey"]
      Resource = ["${{aws_s3_bucket.b{i}.arn}}/*", aws_kms_key.k{i}.arn]
    }}]
  }})
}}

resource "aws_iam_user_policy_attachment" "u{i}" {{
  user       = aws_iam_user.u{i}.name
  policy_arn = aws_iam_policy.p{i}.arn
}}
"#
        ));
    }
    out
}

/// Units needed for about `resources` resources.
pub(crate) fn units_for(resources: usize) -> usize {
    resources.div_ceil(RESOURCES_PER_UNIT)
}
