//! How `keyform sim` prints a response: the AWS CLI's `--query` (JMESPath),
//! `--output json|text` and the `--region` check.

use serde_json::Value as Json;

use super::usage;
use crate::sim::{Cloud, SimError};

/// The AWS CLI's global output options that `sim` honours.
#[derive(Default)]
pub(super) struct Output {
    /// `--query`: a JMESPath expression.
    pub(super) query: Option<String>,
    /// `--output text` instead of JSON.
    pub(super) text: bool,
    /// `--region`: must be the world's region.
    pub(super) region: Option<String>,
}

impl Output {
    pub(super) fn check_region(&self, cloud: &Cloud) -> Result<(), (SimError, String)> {
        match &self.region {
            Some(r) if *r != cloud.world.region => Err(usage(format!(
                "--region {r}: this world is in {} (the provider block's region); keyform simulates one region per working directory",
                cloud.world.region
            ))),
            _ => Ok(()),
        }
    }

    /// Prints a response as the AWS CLI would with these options.
    pub(super) fn print(&self, v: &Json) -> Result<(), (SimError, String)> {
        // The AWS CLI prints nothing for a response without members (put-key-policy,
        // delete-object), whatever --output says.
        if v.as_object().is_some_and(|m| m.is_empty()) {
            return Ok(());
        }
        let v = match &self.query {
            Some(q) => query(v, q).map_err(usage)?,
            None => v.clone(),
        };
        if self.text {
            let mut out = String::new();
            text_lines(&v, &mut out);
            print!("{out}");
        } else {
            print_json(&v);
        }
        Ok(())
    }
}

/// Applies a `--query` expression: JMESPath, as the AWS CLI evaluates it (the `jmespath`
/// crate, the reference implementation's Rust port), to the response the CLI would print.
fn query(v: &Json, q: &str) -> Result<Json, String> {
    let expr = jmespath::compile(q).map_err(|e| format!("--query {q:?}: {e}"))?;
    let data =
        jmespath::Variable::from_serializable(v).map_err(|e| format!("--query {q:?}: {e}"))?;
    let found = expr
        .search(data)
        .map_err(|e| format!("--query {q:?}: {e}"))?;
    serde_json::to_value(&*found).map_err(|e| format!("--query {q:?}: {e}"))
}

fn scalar_text(v: &Json) -> String {
    match v {
        Json::Null => "None".into(),
        Json::String(s) => s.clone(),
        Json::Bool(b) => {
            if *b {
                "True".into()
            } else {
                "False".into()
            }
        }
        other => other.to_string(),
    }
}

/// `--output text`: scalars as they are, lists of scalars on one tab-separated line, objects
/// as one line of their scalar values (keys sorted) followed by their nested values.
fn text_lines(v: &Json, out: &mut String) {
    match v {
        Json::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            let line: Vec<String> = a.iter().map(scalar_text).collect();
            out.push_str(&line.join("\t"));
            out.push('\n');
        }
        Json::Array(a) => a.iter().for_each(|x| text_lines(x, out)),
        Json::Object(m) => {
            let scalars: Vec<String> = m
                .values()
                .filter(|x| !x.is_object() && !x.is_array())
                .map(scalar_text)
                .collect();
            if !scalars.is_empty() {
                out.push_str(&scalars.join("\t"));
                out.push('\n');
            }
            m.values()
                .filter(|x| x.is_object() || x.is_array())
                .for_each(|x| text_lines(x, out));
        }
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

/// Prints a response as the AWS CLI's JSON.
pub(super) fn print_json(v: &Json) {
    if let Some(text) = crate::cli::render::json::aws_cli(v) {
        println!("{text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_select_fields_indexes_and_projections() {
        let v = serde_json::json!({
            "Plaintext": "aGk=",
            "KeyMetadata": {"Arn": "arn:k", "Enabled": true},
            "Contents": [{"Key": "a"}, {"Key": "b"}, {"Size": 1}],
        });
        assert_eq!(query(&v, "Plaintext").unwrap(), "aGk=");
        assert_eq!(query(&v, "KeyMetadata.Arn").unwrap(), "arn:k");
        assert_eq!(query(&v, "Contents[0].Key").unwrap(), "a");
        assert_eq!(query(&v, "Contents[-2].Key").unwrap(), "b");
        assert_eq!(
            query(&v, "Contents[].Key").unwrap(),
            serde_json::json!(["a", "b"])
        );
        assert_eq!(query(&v, "Missing.Field").unwrap(), Json::Null);
        assert_eq!(query(&v, "length(Contents)").unwrap(), 3);
        assert_eq!(query(&v, "Contents[2].Size").unwrap(), 1);
        assert!(query(&v, "Contents[?").unwrap_err().starts_with("--query"));
        let mut out = String::new();
        text_lines(&query(&v, "Contents[].Key").unwrap(), &mut out);
        assert_eq!(out, "a\tb\n");
        out.clear();
        text_lines(&query(&v, "KeyMetadata").unwrap(), &mut out);
        assert_eq!(out, "arn:k\tTrue\n");
    }

    #[test]
    fn queries_are_full_jmespath_as_the_aws_cli_takes_them() {
        let v = serde_json::json!({"Aliases": [
            {"AliasName": "alias/aws/s3", "TargetKeyId": "k0"},
            {"AliasName": "alias/lab-key", "TargetKeyId": "k1"},
        ]});
        assert_eq!(
            query(&v, "Aliases[?AliasName=='alias/lab-key'].TargetKeyId").unwrap(),
            serde_json::json!(["k1"])
        );
        assert_eq!(
            query(&v, "Aliases[?AliasName=='alias/lab-key'].TargetKeyId | [0]").unwrap(),
            "k1"
        );
        assert_eq!(
            query(
                &v,
                "Aliases[?starts_with(AliasName, 'alias/aws/')] | length(@)"
            )
            .unwrap(),
            1
        );
        assert_eq!(
            query(&v, "Aliases[].{name: AliasName}").unwrap(),
            serde_json::json!([{"name": "alias/aws/s3"}, {"name": "alias/lab-key"}])
        );
    }
}
