//! How `keyform sim` prints a response: the AWS CLI's `--query` (JMESPath),
//! `--output json|text|table|yaml|yaml-stream` and the `--region` check.

use serde_json::Value as Json;

use super::usage;
use crate::sim::{Cloud, SimError};

/// `--output`: how a response is printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Format {
    #[default]
    Json,
    Text,
    Table,
    Yaml,
    /// AWS CLI v2's streaming YAML: a paginated response's pages as a list; one page here.
    YamlStream,
}

impl Format {
    pub(super) fn parse(v: &str) -> Result<Format, (SimError, String)> {
        Ok(match v {
            "json" => Format::Json,
            "text" => Format::Text,
            "table" => Format::Table,
            "yaml" => Format::Yaml,
            "yaml-stream" => Format::YamlStream,
            other => {
                return Err(usage(format!(
                    "argument --output: Invalid choice, valid choices are:\n\njson | text\ntable | yaml\nyaml-stream\n\n(got {other:?})"
                )));
            }
        })
    }
}

/// The AWS CLI's global output options that `sim` honours.
#[derive(Default)]
pub(super) struct Output {
    /// `--query`: a JMESPath expression.
    pub(super) query: Option<String>,
    /// `--output`.
    pub(super) format: Format,
    /// `--no-paginate`: print the first page as the service answered it.
    pub(super) no_paginate: bool,
    /// `--max-items`, `--page-size`, `--starting-token`.
    pub(super) paging: super::paginate::Paging,
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

    /// Prints the response of operation `op` (`DescribeKey`, the table's title) as the AWS CLI
    /// would with these options.
    pub(super) fn print(&self, op: &str, v: &Json) -> Result<(), (SimError, String)> {
        // The AWS CLI prints nothing for a response without members (put-key-policy,
        // delete-object), whatever --output says.
        if v.as_object().is_some_and(|m| m.is_empty()) {
            return Ok(());
        }
        let v = match &self.query {
            Some(q) => query(v, q).map_err(usage)?,
            None => v.clone(),
        };
        match self.format {
            Format::Text => {
                let mut out = String::new();
                text_lines(&v, &mut out);
                print!("{out}");
            }
            Format::Json => print_json(&v),
            Format::Table => print!(
                "{}",
                super::table::render(op, &v, super::table::terminal_width())
            ),
            Format::Yaml => print!("{}", super::yaml::render(&v)),
            Format::YamlStream => print!("{}", super::yaml::render(&Json::Array(vec![v]))),
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

/// `--output text`, as awscli's `text.py` writes it: a structure's scalars (keys sorted) on
/// one tab-separated line, led by the upper-cased member name it sits under; lists of
/// structures one line each, with the columns of every element; lists of scalars on one line
/// (one `NAME\tvalue` line each under a name).
fn text_lines(v: &Json, out: &mut String) {
    text_item(v, None, None, out);
}

fn is_scalar(v: &Json) -> bool {
    !v.is_object() && !v.is_array()
}

fn text_item(v: &Json, id: Option<&str>, scalar_keys: Option<&[String]>, out: &mut String) {
    match v {
        Json::Object(m) => {
            let mut scalars: Vec<String> = Vec::new();
            let mut rest: Vec<(&str, &Json)> = Vec::new();
            match scalar_keys {
                None => {
                    for (k, x) in m {
                        if is_scalar(x) {
                            scalars.push(scalar_text(x));
                        } else {
                            rest.push((k, x));
                        }
                    }
                }
                Some(keys) => {
                    for k in keys {
                        scalars.push(m.get(k).map(scalar_text).unwrap_or_default());
                    }
                    for (k, x) in m {
                        if !keys.contains(k) {
                            rest.push((k, x));
                        }
                    }
                }
            }
            if !scalars.is_empty() {
                if let Some(id) = id {
                    scalars.insert(0, id.to_uppercase());
                }
                out.push_str(&scalars.join("\t"));
                out.push('\n');
            }
            for (k, x) in rest {
                text_item(x, Some(k), None, out);
            }
        }
        Json::Array(a) if a.is_empty() => {}
        Json::Array(a) if a.iter().any(Json::is_object) => {
            let mut keys: Vec<String> = a
                .iter()
                .filter_map(Json::as_object)
                .flat_map(|m| {
                    m.iter()
                        .filter(|(_, x)| is_scalar(x))
                        .map(|(k, _)| k.clone())
                })
                .collect();
            keys.sort();
            keys.dedup();
            for x in a {
                text_item(x, id, Some(&keys), out);
            }
        }
        Json::Array(a) => {
            let scalars: Vec<&Json> = a.iter().filter(|x| is_scalar(x)).collect();
            if !scalars.is_empty() {
                match id {
                    Some(id) => {
                        for x in &scalars {
                            out.push_str(&format!("{}\t{}\n", id.to_uppercase(), scalar_text(x)));
                        }
                    }
                    None => {
                        let line: Vec<String> = scalars.iter().map(|x| scalar_text(x)).collect();
                        out.push_str(&line.join("\t"));
                        out.push('\n');
                    }
                }
            }
            for x in a.iter().filter(|x| !is_scalar(x)) {
                text_item(x, id, None, out);
            }
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
