//! How `keyform sim` prints a response: the AWS CLI's `--query` (a JMESPath subset),
//! `--output json|text` and the `--region` check.

use serde_json::Value as Json;

use super::usage;
use crate::sim::{Cloud, SimError};

/// The AWS CLI's global output options that `sim` honours.
#[derive(Default)]
pub(super) struct Output {
    /// `--query`: a JMESPath expression (the subset [`query`] supports).
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

/// One step of a `--query` path.
#[derive(Debug, PartialEq)]
enum Step {
    Field(String),
    Index(i64),
    /// `[]` or `[*]`: apply the rest to every element.
    Each,
}

fn parse_query(q: &str) -> Result<Vec<Step>, String> {
    let bad = || {
        format!(
            "--query {q:?}: keyform supports field paths like Plaintext, KeyMetadata.Arn, Contents[0].Key, Contents[].Key and Events[-1]"
        )
    };
    let mut steps = Vec::new();
    let mut chars = q.trim().chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            '.' if !steps.is_empty() => {
                chars.next();
            }
            '[' => {
                chars.next();
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    inner.push(c);
                }
                steps.push(match inner.trim() {
                    "" | "*" => Step::Each,
                    n => Step::Index(n.parse().map_err(|_| bad())?),
                });
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut name = String::new();
                while let Some(&c) = chars.peek() {
                    if !(c.is_ascii_alphanumeric() || c == '_') {
                        break;
                    }
                    name.push(c);
                    chars.next();
                }
                steps.push(Step::Field(name));
            }
            _ => return Err(bad()),
        }
    }
    if steps.is_empty() {
        return Err(bad());
    }
    Ok(steps)
}

fn eval_query(v: &Json, steps: &[Step]) -> Json {
    let Some((first, rest)) = steps.split_first() else {
        return v.clone();
    };
    match first {
        Step::Field(f) => eval_query(v.get(f).unwrap_or(&Json::Null), rest),
        Step::Index(i) => {
            let item = v.as_array().and_then(|a| {
                let idx = if *i < 0 { a.len() as i64 + i } else { *i };
                usize::try_from(idx).ok().and_then(|i| a.get(i))
            });
            eval_query(item.unwrap_or(&Json::Null), rest)
        }
        Step::Each => match v.as_array() {
            Some(a) => Json::Array(
                a.iter()
                    .map(|x| eval_query(x, rest))
                    .filter(|x| !x.is_null())
                    .collect(),
            ),
            None => Json::Null,
        },
    }
}

/// Applies a `--query` expression (a JMESPath subset: fields, indexes, projections).
fn query(v: &Json, q: &str) -> Result<Json, String> {
    Ok(eval_query(v, &parse_query(q)?))
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
        assert!(query(&v, "length(Contents)").is_err());
        let mut out = String::new();
        text_lines(&query(&v, "Contents[].Key").unwrap(), &mut out);
        assert_eq!(out, "a\tb\n");
        out.clear();
        text_lines(&query(&v, "KeyMetadata").unwrap(), &mut out);
        assert_eq!(out, "arn:k\tTrue\n");
    }
}
