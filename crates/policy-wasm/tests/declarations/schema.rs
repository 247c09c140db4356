//! The Rust side: each wire type's OpenAPI schema (the policy's `openapi`
//! feature), and what serde really reads and writes.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

/// A wire type: its schema's name, and how to see what serde writes.
#[derive(Clone, Copy)]
pub struct RustType {
    pub name: &'static str,
    written: Written,
    collect: fn(&mut BTreeMap<String, Value>),
}

#[derive(Clone, Copy)]
enum Written {
    /// Read a value, write it again.
    RoundTrip(fn(Value) -> Result<Value, String>),
    /// A type serde only writes: one such value, as written.
    Example(fn() -> Value),
}

impl std::fmt::Debug for RustType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

fn roundtrip<T: Serialize + DeserializeOwned>(v: Value) -> Result<Value, String> {
    let t: T = serde_json::from_value(v).map_err(|e| e.to_string())?;
    serde_json::to_value(&t).map_err(|e| e.to_string())
}

fn collect<T: ToSchema>(into: &mut BTreeMap<String, Value>) {
    let mut schemas = Vec::new();
    T::schemas(&mut schemas);
    schemas.push((T::name().into_owned(), T::schema()));
    for (name, schema) in schemas {
        into.insert(name, serde_json::to_value(schema).unwrap_or(Value::Null));
    }
}

/// `T` as the tests see it. Its name is the schema's (`ToSchema::name`).
pub fn rust<T: ToSchema + Serialize + DeserializeOwned>() -> RustType {
    let name: &'static str = match T::name() {
        std::borrow::Cow::Borrowed(s) => s,
        std::borrow::Cow::Owned(s) => Box::leak(s.into_boxed_str()),
    };
    RustType {
        name,
        written: Written::RoundTrip(roundtrip::<T>),
        collect: collect::<T>,
    }
}

/// A type that serde only writes (no `Deserialize`), with one value of it
/// as written, whose fields are the smallest the type allows.
pub fn rust_written<T: ToSchema>(example: fn() -> Value) -> RustType {
    let name: &'static str = match T::name() {
        std::borrow::Cow::Borrowed(s) => s,
        std::borrow::Cow::Owned(s) => Box::leak(s.into_boxed_str()),
    };
    RustType {
        name,
        written: Written::Example(example),
        collect: collect::<T>,
    }
}

/// Every schema of the registered types and of the types they name.
pub struct Schemas {
    pub components: BTreeMap<String, Value>,
}

/// One property of an object schema.
#[derive(Debug)]
pub struct Field {
    pub required: bool,
    pub schema: Value,
}

impl Schemas {
    pub fn new(types: &[RustType]) -> Schemas {
        let mut components = BTreeMap::new();
        for t in types {
            (t.collect)(&mut components);
        }
        Schemas { components }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.components.get(name)
    }

    /// The schema a `$ref` names, or the schema itself.
    pub fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match ref_name(schema).and_then(|n| self.components.get(n)) {
            Some(s) => s,
            None => schema,
        }
    }

    /// The properties of an object schema (`None`: not an object schema).
    pub fn fields(&self, name: &str) -> Option<BTreeMap<String, Field>> {
        let schema = self.components.get(name)?;
        let props = schema.get("properties")?.as_object()?;
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        Some(
            props
                .iter()
                .map(|(k, v)| {
                    let field = Field {
                        required: required.contains(k.as_str()),
                        schema: v.clone(),
                    };
                    (k.clone(), field)
                })
                .collect(),
        )
    }

    /// The values of a string enum schema.
    pub fn enum_values(&self, name: &str) -> Option<Vec<String>> {
        let values = self.components.get(name)?.get("enum")?.as_array()?;
        Some(
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        )
    }

    /// A value of the smallest shape `schema` allows: only the required
    /// properties, each with a plain value of its type.
    pub fn sample(&self, schema: &Value) -> Value {
        let schema = non_null(self.resolve(schema));
        let schema = self.resolve(schema);
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        if let Some(first) = schema
            .get("oneOf")
            .and_then(Value::as_array)
            .and_then(|v| v.first())
        {
            return self.sample(first);
        }
        match type_of(schema).as_deref() {
            Some("string") if schema.get("format") == Some(&json!("date-time")) => {
                json!("2026-01-01T00:00:00Z")
            }
            Some("string") => json!("x"),
            Some("integer" | "number") => json!(1),
            Some("boolean") => json!(false),
            Some("array") => json!([]),
            Some("object") => {
                let mut out = Map::new();
                let required = schema.get("required").and_then(Value::as_array);
                let props = schema.get("properties").and_then(Value::as_object);
                if let (Some(required), Some(props)) = (required, props) {
                    for name in required.iter().filter_map(Value::as_str) {
                        if let Some(p) = props.get(name) {
                            out.insert(name.to_owned(), self.sample(p));
                        }
                    }
                }
                Value::Object(out)
            }
            _ => Value::Null,
        }
    }

    /// The properties serde always writes: a value with only the required
    /// ones, read and written again (what is left out when empty or absent
    /// is `skip_serializing_if`; what is written anyway is not).
    pub fn always_written(&self, t: &RustType) -> Result<BTreeSet<String>, String> {
        let schema = self
            .components
            .get(t.name)
            .ok_or_else(|| format!("no schema `{}`", t.name))?;
        let sample = self.sample(schema);
        let written = match t.written {
            Written::RoundTrip(roundtrip) => roundtrip(sample.clone()),
            Written::Example(example) => Ok(example()),
        };
        match written {
            Ok(Value::Object(map)) => Ok(map.keys().cloned().collect()),
            Ok(other) => Err(format!("`{}` is written as {other}, not an object", t.name)),
            Err(e) => Err(format!(
                "the sample {sample} of `{}` does not read back: {e}",
                t.name
            )),
        }
    }
}

/// The name a `$ref` points at.
pub fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// The schema without its `null` alternative (`Option<T>`).
pub fn non_null(schema: &Value) -> &Value {
    if let Some(variants) = schema.get("oneOf").and_then(Value::as_array) {
        let rest: Vec<&Value> = variants
            .iter()
            .filter(|v| v.get("type") != Some(&json!("null")))
            .collect();
        if rest.len() == 1
            && let Some(only) = rest.first()
        {
            return only;
        }
    }
    schema
}

/// The JSON type a schema names, `null` left out (`["string", "null"]` is `string`).
pub fn type_of(schema: &Value) -> Option<String> {
    match schema.get("type")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .map(str::to_owned),
        _ => None,
    }
}
