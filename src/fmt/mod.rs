//! Placeholder until the formatter lands.
#[derive(Debug, thiserror::Error)]
pub enum FmtError {
    #[error("{message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
}

pub fn format_source(src: &str) -> Result<String, FmtError> {
    Ok(src.to_string())
}
