//! XML for the query (IAM, STS) and REST-XML (S3) protocols: a small element tree parsed with
//! quick-xml for request bodies, and a writer that keeps AWS's element order for responses.

use quick_xml::events::Event;
use serde_json::Value as Json;

/// One element of a parsed document (namespaces dropped: AWS matches local names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child called `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the child called `name`.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

fn resolve_entity(name: &str) -> Option<String> {
    Some(match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        n => {
            let code = n.strip_prefix('#')?;
            let v = match code.strip_prefix('x') {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => code.parse().ok()?,
            };
            char::from_u32(v)?.to_string()
        }
    })
}

/// Parses a document into its root element. Errors are one line for `MalformedXML`.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let ev = reader.read_event().map_err(|e| e.to_string())?;
        match ev {
            Event::Start(s) => stack.push(Element {
                name: s.local_name().as_ref().to_string(),
                ..Element::default()
            }),
            Event::Empty(s) => {
                let e = Element {
                    name: s.local_name().as_ref().to_string(),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(p) => p.children.push(e),
                    None => return Ok(e),
                }
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("unbalanced end tag")?;
                match stack.last_mut() {
                    Some(p) => p.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(t) => {
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&t.into_inner());
                }
            }
            Event::CData(t) => {
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let name = r.into_inner();
                let v = resolve_entity(&name).ok_or_else(|| format!("unknown entity &{name};"))?;
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&v);
                }
            }
            Event::Eof => return Err("the document has no root element".into()),
            _ => {}
        }
    }
}

/// Escapes text for an element's content.
pub fn escape(s: &str) -> String {
    crate::text::xml_escape_text(s)
}

/// Builds a response document element by element.
#[derive(Default)]
pub struct Writer {
    pub out: String,
}

impl Writer {
    /// Starts a document with the XML declaration.
    pub fn document() -> Writer {
        Writer {
            out: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".into(),
        }
    }

    pub fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// Opens an element with an `xmlns`.
    pub fn open_ns(&mut self, name: &str, ns: &str) -> &mut Self {
        self.out
            .push_str(&format!("<{name} xmlns=\"{}\">", escape(ns)));
        self
    }

    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `<name>text</name>`.
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        self.out.push_str(&escape(text));
        self.close(name)
    }

    /// A leaf from a JSON scalar, if present and not null.
    pub fn leaf_json(&mut self, name: &str, v: Option<&Json>) -> &mut Self {
        if let Some(v) = v.filter(|v| !v.is_null()) {
            let text = scalar(v);
            self.leaf(name, &text);
        }
        self
    }

    /// Writes a JSON value the query protocol's way: objects as elements per member, lists
    /// as `<member>` items. `transform` may rewrite a scalar by its member name (policy
    /// documents are URL-encoded in IAM responses).
    pub fn json(&mut self, name: &str, v: &Json, transform: &dyn Fn(&str, String) -> String) {
        match v {
            Json::Null => {}
            Json::Object(m) => {
                self.open(name);
                for (k, x) in m {
                    self.json(k, x, transform);
                }
                self.close(name);
            }
            Json::Array(items) => {
                self.open(name);
                for x in items {
                    // A list's items carry its member name for the transform.
                    match x {
                        Json::Object(_) | Json::Array(_) => self.json("member", x, transform),
                        _ => {
                            let t = transform(name, scalar(x));
                            self.leaf("member", &t);
                        }
                    }
                }
                self.close(name);
            }
            _ => {
                let t = transform(name, scalar(v));
                self.leaf(name, &t);
            }
        }
    }
}

/// The text of a JSON scalar as XML carries it.
pub fn scalar(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_parse_with_namespaces_entities_and_empty_elements() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>
  <KMSMasterKeyID>alias/a&amp;b</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>
  <BucketKeyEnabled>true</BucketKeyEnabled><Empty/></Rule>
</ServerSideEncryptionConfiguration>"#;
        let e = parse(doc).unwrap();
        assert_eq!(e.name, "ServerSideEncryptionConfiguration");
        let rule = e.child("Rule").unwrap();
        let d = rule.child("ApplyServerSideEncryptionByDefault").unwrap();
        assert_eq!(d.text_of("KMSMasterKeyID"), Some("alias/a&b"));
        assert_eq!(rule.text_of("BucketKeyEnabled"), Some("true"));
        assert!(rule.child("Empty").is_some());
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn json_is_written_as_query_protocol_xml() {
        let mut w = Writer::default();
        let v = serde_json::json!({"Users": [{"UserName": "a<b"}], "IsTruncated": false});
        w.json("ListUsersResult", &v, &|_, s| s);
        assert_eq!(
            w.out,
            "<ListUsersResult><IsTruncated>false</IsTruncated><Users><member><UserName>a&lt;b</UserName></member></Users></ListUsersResult>"
        );
    }
}
