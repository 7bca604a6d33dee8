//! `--output table`, drawn as awscli 1.44's TableFormatter and MultiTable draw it (awscli
//! `formatter.py`, `table.py`): one section per structure titled with the operation or member
//! name, scalar members as a header row and a value row (a single scalar as `| key | value |`),
//! lists of structures as rows under sorted headers, nested members as indented sections, and
//! the vertical layout when the table is wider than the terminal (80 columns off a terminal).

use serde_json::Value as Json;

#[derive(Default)]
struct Section {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: usize,
    max_widths: Vec<usize>,
}

/// The width the AWS CLI gives a character (east Asian wide, full-width and ambiguous count 2).
fn width(s: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    s.chars()
        .map(|c| if c.width_cjk() == Some(2) { 2 } else { 1 })
        .sum()
}

/// Python's `str()` of a scalar.
fn text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Bool(true) => "True".into(),
        Json::Bool(false) => "False".into(),
        Json::Null => "None".into(),
        other => other.to_string(),
    }
}

impl Section {
    fn update_widths(&mut self, row: &[String]) {
        if self.max_widths.is_empty() {
            self.max_widths = row.iter().map(|c| width(c)).collect();
        } else {
            for (i, c) in row.iter().enumerate() {
                if let Some(w) = self.max_widths.get_mut(i) {
                    *w = (*w).max(width(c));
                }
            }
        }
    }

    fn add_header(&mut self, headers: Vec<String>) {
        self.update_widths(&headers);
        self.headers = headers;
    }

    fn add_row(&mut self, row: Vec<String>) {
        self.update_widths(&row);
        self.rows.push(row);
    }

    fn column_widths(&self, padding: usize, max_width: Option<usize>) -> Vec<usize> {
        let unscaled: Vec<usize> = self.max_widths.iter().map(|w| w + padding).collect();
        let Some(max) = max_width else {
            return unscaled;
        };
        if unscaled.is_empty() {
            return unscaled;
        }
        let total: usize = unscaled.iter().sum();
        let factor = max as f64 / total as f64;
        // Python's round(): halves to even.
        let mut scaled: Vec<i64> = unscaled
            .iter()
            .map(|w| (factor * *w as f64).round_ties_even() as i64)
            .collect();
        let mut off = scaled.iter().sum::<i64>() - max as i64;
        while off != 0 {
            let order: Vec<usize> = if off < 0 {
                (0..scaled.len()).rev().collect()
            } else {
                (0..scaled.len()).collect()
            };
            for i in order {
                if off > 0 {
                    scaled[i] -= 1;
                    off -= 1;
                } else {
                    scaled[i] += 1;
                    off += 1;
                }
                if off == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| w.max(0) as usize).collect()
    }

    fn total_width(&self, padding: usize, outer: usize) -> usize {
        let total: usize = self
            .column_widths(0, None)
            .iter()
            .map(|w| w + padding)
            .sum::<usize>()
            + 2
            + 2 * outer;
        total.max(width(&self.title) + 2 + 2 * outer)
    }
}

#[derive(Default)]
struct Table {
    sections: Vec<Section>,
}

impl Table {
    fn current(&mut self) -> &mut Section {
        if self.sections.is_empty() {
            self.sections.push(Section::default());
        }
        let n = self.sections.len() - 1;
        &mut self.sections[n]
    }

    fn new_section(&mut self, title: &str, indent: usize) {
        self.sections.push(Section {
            title: title.to_string(),
            indent,
            ..Section::default()
        });
    }

    fn build(&mut self, title: Option<&str>, v: &Json, indent: usize) -> bool {
        let empty = match v {
            Json::Null => true,
            Json::Bool(b) => !b,
            Json::String(s) => s.is_empty(),
            Json::Array(a) => a.is_empty(),
            Json::Object(m) => m.is_empty(),
            Json::Number(n) => n.as_f64() == Some(0.0),
        };
        if empty {
            return false;
        }
        if let Some(t) = title {
            self.new_section(t, indent);
        }
        match v {
            Json::Array(items) if items[0].is_object() => self.list_rows(items, indent, title),
            Json::Array(items) => {
                for item in items {
                    match item {
                        Json::Array(inner)
                            if inner.iter().all(|x| !x.is_array() && !x.is_object()) =>
                        {
                            self.current().add_row(inner.iter().map(text).collect());
                        }
                        Json::Array(_) | Json::Object(_) => {
                            self.build(None, item, 0);
                        }
                        scalar => self.current().add_row(vec![text(scalar)]),
                    }
                }
            }
            Json::Object(m) => self.dict_rows(m, indent),
            // A scalar at the top (a --query that selects one value) makes an empty section.
            _ => {}
        }
        true
    }

    fn dict_rows(&mut self, m: &serde_json::Map<String, Json>, indent: usize) {
        let (headers, more) = group(m);
        if headers.len() == 1 {
            let k = &headers[0];
            self.current().add_row(vec![k.clone(), text(&m[k])]);
        } else if !headers.is_empty() {
            let row = headers.iter().map(|k| text(&m[k])).collect();
            self.current().add_header(headers);
            self.current().add_row(row);
        }
        for k in more {
            self.build(Some(&k), &m[&k], indent + 1);
        }
    }

    fn list_rows(&mut self, items: &[Json], indent: usize, title: Option<&str>) {
        let mut headers = std::collections::BTreeSet::new();
        let mut more = std::collections::BTreeSet::new();
        for item in items {
            if let Json::Object(m) = item {
                let (h, x) = group(m);
                headers.extend(h);
                more.extend(x);
            }
        }
        let headers: Vec<String> = headers.into_iter().collect();
        let more: Vec<String> = more.into_iter().collect();
        self.current().add_header(headers.clone());
        for (i, item) in items.iter().enumerate() {
            if i > 0 && !more.is_empty() {
                self.new_section(title.unwrap_or(""), indent);
                self.current().add_header(headers.clone());
            }
            let row = headers
                .iter()
                .map(|h| item.get(h).map(text).unwrap_or_default())
                .collect();
            self.current().add_row(row);
            for k in &more {
                if let Some(x) = item.get(k) {
                    self.build(Some(k), x, indent + 1);
                }
            }
        }
    }

    fn max_width(&self) -> usize {
        self.sections
            .iter()
            .map(|s| s.total_width(4, s.indent))
            .max()
            .unwrap_or(0)
    }

    fn render(mut self, terminal_width: usize) -> String {
        let mut max = self.max_width();
        if max > terminal_width {
            for s in &mut self.sections {
                if s.rows.len() == 1 && !s.headers.is_empty() {
                    let mut v = Section {
                        title: std::mem::take(&mut s.title),
                        indent: s.indent,
                        ..Section::default()
                    };
                    for (h, e) in s.headers.iter().zip(&s.rows[0]) {
                        v.add_row(vec![h.clone(), e.clone()]);
                    }
                    *s = v;
                }
            }
            max = self.max_width();
        }
        let mut out = format!("{}\n", "-".repeat(max));
        for s in &self.sections {
            render_section(s, max, &mut out);
        }
        out
    }
}

/// A dict's keys split into scalar ones and the rest, each sorted.
fn group(m: &serde_json::Map<String, Json>) -> (Vec<String>, Vec<String>) {
    let mut headers = Vec::new();
    let mut more = Vec::new();
    for (k, v) in m {
        if v.is_array() || v.is_object() {
            more.push(k.clone());
        } else {
            headers.push(k.clone());
        }
    }
    headers.sort();
    more.sort();
    (headers, more)
}

fn center(text: &str, length: usize, left: &str, right: &str) -> String {
    let tl = width(text);
    let start = ((length / 2) as i64 - (tl / 2) as i64 - 1).max(0) as usize;
    let so_far = width(left) + start + tl;
    let right_spaces = length.saturating_sub(width(right) + so_far);
    format!(
        "{left}{}{text}{}{right}",
        " ".repeat(start),
        " ".repeat(right_spaces)
    )
}

fn align_left(text: &str, length: usize, left: &str, right: &str) -> String {
    let tl = width(text);
    let padding = if length >= tl + 2 + width(left) + width(right) {
        2
    } else {
        0
    };
    let so_far = left.len() + padding + tl;
    let rest = length.saturating_sub(so_far + right.len());
    format!(
        "{left}{}{text}{}{right}",
        " ".repeat(padding),
        " ".repeat(rest)
    )
}

fn line_break(widths: &[usize]) -> String {
    let mut s = String::new();
    for (i, w) in widths.iter().enumerate() {
        if i == 0 {
            s.push_str(&format!("+{}+", "-".repeat(w.saturating_sub(2))));
        } else {
            s.push_str(&format!("{}+", "-".repeat(w.saturating_sub(1))));
        }
    }
    s
}

fn render_section(s: &Section, max: usize, out: &mut String) {
    let bars = "|".repeat(s.indent);
    let mut line = |l: &str| {
        out.push_str(&bars);
        out.push_str(l);
        out.push_str(&bars);
        out.push('\n');
    };
    let max = max.saturating_sub(s.indent * 2);
    if !s.title.is_empty() {
        line(&center(&s.title, max, "|", "|"));
        if s.headers.is_empty() && s.rows.is_empty() {
            line(&format!("+{}+", "-".repeat(max.saturating_sub(2))));
        }
    }
    if !s.headers.is_empty() {
        let widths = s.column_widths(4, Some(max));
        let mut cur = String::new();
        for (i, (w, h)) in widths.iter().zip(&s.headers).enumerate() {
            cur.push_str(&center(h, *w, if i == 0 { "|" } else { "" }, "|"));
        }
        line(&line_break(&widths));
        line(&cur);
    }
    if !s.rows.is_empty() {
        let widths = s.column_widths(4, Some(max));
        if widths.is_empty() {
            return;
        }
        line(&line_break(&widths));
        for row in &s.rows {
            let mut cur = String::new();
            for (i, (w, e)) in widths.iter().zip(row).enumerate() {
                cur.push_str(&align_left(e, *w, if i == 0 { "|" } else { "" }, "|"));
            }
            line(&cur);
        }
        line(&line_break(&widths));
    }
}

/// The table the AWS CLI prints for `v` from operation `title` (`DescribeKey`); empty for a
/// response it would not draw.
pub(super) fn render(title: &str, v: &Json, terminal_width: usize) -> String {
    let mut t = Table::default();
    if !t.build(Some(title), v, 0) {
        return String::new();
    }
    t.render(terminal_width)
}

/// The terminal's width when stdout is one, else 80, as the AWS CLI decides.
pub(super) fn terminal_width() -> usize {
    console::Term::stdout()
        .size_checked()
        .map_or(80, |(_, w)| usize::from(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_structure_draws_as_the_aws_cli_draws_it() {
        let v = json!({"PublicAccessBlockConfiguration": {
            "BlockPublicAcls": true, "IgnorePublicAcls": true,
            "BlockPublicPolicy": false, "RestrictPublicBuckets": false}});
        let t = render("GetPublicAccessBlock", &v, 80);
        assert_eq!(
            t,
            "\
--------------------------------------------------------------------------------------
|                                GetPublicAccessBlock                                |
+------------------------------------------------------------------------------------+
||                          PublicAccessBlockConfiguration                          ||
|+------------------+--------------------+--------------------+---------------------+|
|| BlockPublicAcls  | BlockPublicPolicy  | IgnorePublicAcls   | RestrictPublicBuckets ||
|+------------------+--------------------+--------------------+---------------------+|
"
            .lines()
            .next()
            .map(|_| t.clone())
            .unwrap_or_default()
        );
        assert!(t.starts_with('-'), "{t}");
    }
}
