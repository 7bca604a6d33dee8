//! Form bodies: `application/x-www-form-urlencoded` and `multipart/form-data` (an upload: one
//! file part, its name and bytes, beside text fields), and query parameters.

use crate::serve::Request;

/// A file sent with a multipart form.
#[derive(Default)]
pub(crate) struct Upload {
    pub filename: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// A POST's fields.
#[derive(Default)]
pub(crate) struct Form {
    fields: Vec<(String, String)>,
    pub file: Option<Upload>,
}

impl Form {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field's value, trimmed, or "" when absent.
    pub(crate) fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").trim().to_string()
    }

    pub(crate) fn parse(req: &Request) -> Form {
        let ct = req.header("content-type").unwrap_or("");
        if let Some(boundary) = ct
            .split(';')
            .map(str::trim)
            .find_map(|p| p.strip_prefix("boundary="))
            .filter(|_| ct.starts_with("multipart/form-data"))
        {
            return multipart(&req.body, boundary.trim_matches('"'));
        }
        Form {
            fields: serde_urlencoded::from_bytes(&req.body).unwrap_or_default(),
            file: None,
        }
    }
}

/// A query parameter.
pub(super) fn query(raw: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// A `name="value"` parameter of a Content-Disposition header.
fn disposition_param(header: &str, name: &str) -> Option<String> {
    header.split(';').map(str::trim).find_map(|p| {
        let v = p.strip_prefix(name)?.strip_prefix('=')?;
        Some(v.trim_matches('"').to_string())
    })
}

fn multipart(body: &[u8], boundary: &str) -> Form {
    let mut form = Form::default();
    let delim = format!("--{boundary}");
    let Some(mut at) = find(body, delim.as_bytes(), 0) else {
        return form;
    };
    loop {
        let start = at + delim.len();
        if body.get(start..start + 2) == Some(b"--") {
            break;
        }
        let Some(head_end) = find(body, b"\r\n\r\n", start) else {
            break;
        };
        let next_delim = format!("\r\n{delim}");
        let Some(end) = find(body, next_delim.as_bytes(), head_end + 4) else {
            break;
        };
        let head = String::from_utf8_lossy(&body[start..head_end]);
        let content = &body[head_end + 4..end];
        let mut name = None;
        let mut filename = None;
        let mut ctype = None;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                name = disposition_param(v, "name");
                filename = disposition_param(v, "filename");
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                ctype = Some(v.trim().to_string());
            }
        }
        match (name, filename) {
            (Some(_), Some(f)) if form.file.is_none() => {
                form.file = Some(Upload {
                    filename: f,
                    content_type: ctype,
                    bytes: content.to_vec(),
                })
            }
            (Some(n), None) => form
                .fields
                .push((n, String::from_utf8_lossy(content).into_owned())),
            _ => {}
        }
        at = end + 2;
    }
    form
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multipart_upload_gives_its_fields_and_file() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"test.txt\"\r\nContent-Type: text/plain\r\n\r\nkms encryption\r\ntest file\r\n--XyZ--\r\n";
        let f = multipart(body, "XyZ");
        assert_eq!(f.get("csrf"), Some("abc"));
        let u = f.file.unwrap();
        assert_eq!(u.filename, "test.txt");
        assert_eq!(u.bytes, b"kms encryption\r\ntest file");
        assert_eq!(u.content_type.as_deref(), Some("text/plain"));
        assert!(multipart(b"garbage", "XyZ").file.is_none());
    }
}
