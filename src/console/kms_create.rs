//! The create-key wizard, as the AWS console's: key type (symmetric or asymmetric), key
//! usage (encrypt and decrypt, sign and verify, MAC) and key spec, alias, description, tags, key administrators and key users; then a
//! review step that shows the key policy the wizard writes (editable) before one
//! `kms:CreateKey` (with its Policy and Tags) and one `kms:CreateAlias`.

use serde_json::{Value as Json, json};

use super::{Page, kms_policy, see_other};
use crate::serve::Response;
use crate::sim::SimError;

/// The key specs the wizard offers for each key type and usage (AWS's console offers the same).
const SPECS: &[(&str, &str, &[&str])] = &[
    ("symmetric", "ENCRYPT_DECRYPT", &["SYMMETRIC_DEFAULT"]),
    (
        "asymmetric",
        "ENCRYPT_DECRYPT",
        &["RSA_2048", "RSA_3072", "RSA_4096"],
    ),
    (
        "asymmetric",
        "SIGN_VERIFY",
        &[
            "RSA_2048",
            "RSA_3072",
            "RSA_4096",
            "ECC_NIST_P256",
            "ECC_NIST_P384",
            "ECC_NIST_P521",
            "ECC_SECG_P256K1",
        ],
    ),
    (
        "symmetric",
        "GENERATE_VERIFY_MAC",
        &["HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"],
    ),
];

/// The wizard's choices as the form offers them (the list page renders them).
pub(super) fn choices() -> Json {
    SPECS
        .iter()
        .map(|(t, u, specs)| json!({"type": t, "usage": u, "specs": specs}))
        .collect()
}

/// What the wizard's form asked for, checked.
struct Wizard {
    key_type: String,
    usage: String,
    spec: String,
    alias: String,
    description: String,
    tags: Vec<(String, String)>,
    admins: Vec<String>,
    users: Vec<String>,
}

fn names(s: &str) -> Vec<String> {
    s.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// Tags written one a line (or `;` between, which no KMS tag may contain) as `key=value`;
/// one without `=` is a key with an empty value.
fn parse_tags(s: &str) -> Vec<(String, String)> {
    s.split(['\n', ';'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

impl Wizard {
    fn from_form(p: &Page<'_>) -> Result<Wizard, SimError> {
        let f = &p.form;
        let key_type = match f.text("key_type") {
            t if t.is_empty() => "symmetric".to_string(),
            t => t,
        };
        let usage = match f.text("key_usage") {
            u if u.is_empty() => "ENCRYPT_DECRYPT".to_string(),
            u => u,
        };
        let Some((_, _, specs)) = SPECS.iter().find(|(t, u, _)| *t == key_type && *u == usage)
        else {
            return Err(SimError::param(format!(
                "A {key_type} key cannot have key usage {usage}."
            )));
        };
        // A spec that belongs to another type (the form lists them all) takes the type's first.
        let spec = f.text("key_spec");
        let spec = if specs.contains(&spec.as_str()) {
            spec
        } else {
            specs[0].to_string()
        };
        let alias = match f.text("alias") {
            a if a.is_empty() || a.starts_with("alias/") => a,
            a => format!("alias/{a}"),
        };
        Ok(Wizard {
            key_type,
            usage,
            spec,
            alias,
            description: f.text("description"),
            tags: parse_tags(&f.text("tags")),
            admins: names(&f.text("key_admins")),
            users: names(&f.text("key_users")),
        })
    }

    /// The key users' actions the AWS console's wizard grants for this kind of key.
    fn user_actions(&self) -> &'static [&'static str] {
        match (self.key_type.as_str(), self.usage.as_str()) {
            ("asymmetric", "SIGN_VERIFY") => &[
                "kms:DescribeKey",
                "kms:GetPublicKey",
                "kms:Sign",
                "kms:Verify",
            ],
            ("asymmetric", _) => &[
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:DescribeKey",
                "kms:GetPublicKey",
            ],
            (_, "GENERATE_VERIFY_MAC") => &["kms:DescribeKey", "kms:GenerateMac", "kms:VerifyMac"],
            _ => kms_policy::USER_ACTIONS,
        }
    }

    /// The key policy the wizard writes: the account (IAM policies decide), then key
    /// administrators, then key users; with neither, KMS's default key policy.
    fn policy(&self, account: &str) -> String {
        let arns = |names: &[String]| -> Vec<String> {
            names
                .iter()
                .map(|n| kms_policy::principal_arn(account, n))
                .collect()
        };
        let mut st = vec![json!({
            "Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "kms:*",
            "Resource": "*"
        })];
        let id = if self.admins.is_empty() && self.users.is_empty() {
            "key-default-1"
        } else {
            "key-consolepolicy-3"
        };
        if !self.admins.is_empty() {
            st.push(kms_policy::statement(
                kms_policy::ADMINS_SID,
                &arns(&self.admins),
            ));
        }
        if !self.users.is_empty() {
            st.push(json!({"Sid": kms_policy::USERS_SID, "Effect": "Allow",
                "Principal": {"AWS": arns(&self.users)}, "Action": self.user_actions(),
                "Resource": "*"}));
        }
        serde_json::to_string_pretty(&json!({"Id": id, "Version": "2012-10-17", "Statement": st}))
            .unwrap_or_default()
    }

    fn tags_json(&self) -> Json {
        self.tags
            .iter()
            .map(|(k, v)| json!({"TagKey": k, "TagValue": v}))
            .collect()
    }

    /// The form's fields again, for the review page's hidden inputs.
    fn fields(&self) -> Json {
        let tags: Vec<String> = self.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        json!({"key_type": self.key_type, "key_usage": self.usage, "key_spec": self.spec,
               "alias": self.alias, "description": self.description, "tags": tags.join(";"),
               "key_admins": self.admins.join(","), "key_users": self.users.join(",")})
    }
}

/// The review step: what will be created and the key policy, editable; no call is made.
pub(super) fn review(p: &mut Page<'_>) -> Response {
    let w = match Wizard::from_form(p) {
        Ok(w) => w,
        Err(e) => return p.error("reviewing the key", &e),
    };
    let policy = w.policy(&p.cloud.world.account_id);
    p.render(
        "kms_review.html",
        json!({"w": w.fields(), "tags": w.tags_json(), "policy": policy}),
    )
}

/// Finish: one CreateKey (key spec, usage, description, tags, the reviewed policy), then the
/// alias.
pub(super) fn create(p: &mut Page<'_>) -> Response {
    let w = match Wizard::from_form(p) {
        Ok(w) => w,
        Err(e) => return p.error("creating the key", &e),
    };
    let policy = match p.form.text("policy") {
        doc if doc.is_empty() => w.policy(&p.cloud.world.account_id),
        doc => doc,
    };
    let mut params = json!({"Description": w.description, "KeySpec": w.spec,
                            "KeyUsage": w.usage, "Policy": policy});
    if !w.tags.is_empty() {
        params["Tags"] = w.tags_json();
    }
    let r = match p.call("kms:CreateKey", params) {
        Ok(r) => r,
        Err(e) => return p.error("creating the key", &e),
    };
    let id = r["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if !w.alias.is_empty()
        && let Err(e) = p.call(
            "kms:CreateAlias",
            json!({"AliasName": w.alias, "TargetKeyId": id}),
        )
    {
        return p.error("creating the alias (the key was created)", &e);
    }
    see_other(&super::kms::key_url(&id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_one_a_line_and_names_split_on_commas_and_spaces() {
        assert_eq!(
            parse_tags("Project = aero\n\nOwner=;flag"),
            vec![
                ("Project".into(), "aero".into()),
                ("Owner".into(), String::new()),
                ("flag".into(), String::new())
            ]
        );
        assert_eq!(names("a, b\nc"), vec!["a", "b", "c"]);
    }
}
