//! Reading JSON into wire types with a field path and a stable code for
//! every way the shape can be wrong.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::violation::{Code, Violation};

/// Parses JSON text.
pub fn from_json_str<T: DeserializeOwned>(text: &str) -> Result<T, Violation> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        to_violation(&path, e.inner())
    })?;
    de.end().map_err(|e| to_violation(".", &e))?;
    Ok(value)
}

/// Converts an already parsed JSON value.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Violation> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        to_violation(&path, e.inner())
    })
}

fn to_violation(path: &str, e: &serde_json::Error) -> Violation {
    use serde_json::error::Category;
    let message = e.to_string();
    let base = if path == "." {
        String::new()
    } else {
        path.to_owned()
    };
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => Violation::new(
            "",
            Code::BodyMalformed,
            format!("the body is not valid JSON: {message}"),
        ),
        Category::Data => {
            let quoted = message.split('`').nth(1).unwrap_or_default().to_owned();
            let join = |name: &str| {
                if base.is_empty() {
                    name.to_owned()
                } else if base.ends_with(name) {
                    base.clone()
                } else {
                    format!("{base}.{name}")
                }
            };
            let clean = strip_position(&message);
            if message.starts_with("unknown field") {
                Violation::new(join(&quoted), Code::BodyUnknownField, clean)
            } else if message.starts_with("missing field") {
                Violation::new(join(&quoted), Code::BodyMissingField, clean)
            } else {
                Violation::new(base, Code::BodyInvalidType, clean)
            }
        }
    }
}

/// serde_json appends ` at line L column C`; keep the message about the data.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message).to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::CreateTempAccess;

    #[test]
    fn shape_errors_have_paths_and_codes() {
        let e = from_json_str::<CreateTempAccess>(r#"{"roles":["Standard"],"colour":"red"}"#)
            .unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("colour", Code::BodyUnknownField)
        );
        let e = from_json_str::<CreateTempAccess>(r#"{"userEmails":["a@b.co", 7]}"#).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("userEmails[1]", Code::BodyInvalidType)
        );
        let e = from_json_str::<CreateTempAccess>(r#"{"name": "x""#).unwrap_err();
        assert_eq!(e.code, Code::BodyMalformed);
        let e = from_json_str::<CreateTempAccess>(r#"{} []"#).unwrap_err();
        assert_eq!(e.code, Code::BodyMalformed);
    }
}
