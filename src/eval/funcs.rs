//! Placeholder: replaced by the full function library.
use crate::value::Value;

pub struct FuncContext<'a> {
    pub base_dir: &'a std::path::Path,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FuncError {
    #[error("There is no function named \"{name}\".{suggestion}")]
    UnknownFunction { name: String, suggestion: String },
    #[error("Function \"{name}\" expects {expected} arguments, got {got}.")]
    Arity { name: String, expected: String, got: usize },
    #[error("Invalid value for argument {index} of \"{name}\": {message}")]
    InvalidArgument { name: String, index: usize, message: String },
    #[error("Call to function \"{name}\" failed: {message}")]
    Failed { name: String, message: String },
}

pub fn call(name: &str, args: &[Value], _ctx: &FuncContext) -> Result<Value, FuncError> {
    if args.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    match name {
        "upper" => Ok(Value::String(args[0].as_str().unwrap_or("").to_uppercase())),
        "jsonencode" => Ok(Value::String(args[0].to_json().to_string())),
        "length" => Ok(Value::Number(args[0].as_list().map_or(0, |l| l.len()) as f64)),
        _ => Err(FuncError::UnknownFunction { name: name.into(), suggestion: String::new() }),
    }
}

pub fn names() -> &'static [&'static str] {
    &["jsonencode", "length", "upper"]
}
