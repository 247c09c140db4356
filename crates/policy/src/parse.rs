//! Reading JSON into wire types with a field path and a stable code for
//! every way the shape can be wrong.
//!
//! Every surface reads the same way: JSON text becomes a [`Value`] (an
//! object naming a key twice is refused, not read as its last value), and a
//! value becomes a wire type through one deserializer that knows where it
//! is. The messages keep serde_json's form (`invalid type: integer `7`,
//! expected a string`) in the words of JSON rather than Rust: `an object`,
//! not `struct GrantForm`; `an array`, not `a sequence`; `a whole number`
//! (with its range when a number is out of it), not `u8`; `unknown value`,
//! not `unknown variant`. Strings
//! and numbers are quoted as JSON writes them; the field is the path to the
//! value at fault (`userEmails[1]`). An object's keys are
//! read in their sorted order (a value's map is sorted), so when an input
//! has several shape problems the one reported is the same on every
//! surface: the first by key, not by position in the text.
//!
//! One small deserializer, rather than a generic wrapper around serde_json's,
//! keeps each wire type's code instantiated once: the wasm package is a
//! fraction of the size for it.

use std::cell::Cell;
use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};
use serde_json::{Map, Value};

use crate::violation::{Code, Violation};

/// Parses JSON text into a wire type.
pub fn from_json_str<T: DeserializeOwned>(text: &str) -> Result<T, Violation> {
    from_value(parse_json(text)?)
}

/// Parses JSON text into a value; an object naming a key twice is refused,
/// with the path to that key.
pub fn parse_json(text: &str) -> Result<Value, Violation> {
    let twice = Cell::new(None);
    let seed = ValueSeed {
        at: None,
        twice: &twice,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let read = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    read.map_err(|e| match twice.take() {
        Some(field) => Violation::new(field, Code::BodyInvalidType, strip_position(&e.to_string())),
        None => syntax_or_data(&e),
    })
}

/// Converts an already parsed JSON value.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Violation> {
    read_value(&value)
}

/// Reads a wire type from a parsed JSON value it leaves in place.
pub fn read_value<T: DeserializeOwned>(value: &Value) -> Result<T, Violation> {
    T::deserialize(De(value)).map_err(|e| e.violation())
}

fn syntax_or_data(e: &serde_json::Error) -> Violation {
    use serde_json::error::Category;
    let message = strip_position(&e.to_string());
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => Violation::new(
            "",
            Code::BodyMalformed,
            format!("not valid JSON: {message}"),
        ),
        Category::Data => Violation::new("", Code::BodyInvalidType, message),
    }
}

/// serde_json appends ` at line L column C`; keep the message about the data.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message).to_owned(),
        None => message.to_owned(),
    }
}

/// Reads a JSON value as serde_json does, but refuses an object that names
/// a key twice (which serde_json reads as its last value), noting the path
/// to it in `twice`.
#[derive(Clone, Copy)]
struct ValueSeed<'a> {
    at: Option<&'a Node<'a>>,
    twice: &'a Cell<Option<String>>,
}

/// Where the value being read is: a chain of steps back to the top.
struct Node<'a> {
    step: Step<&'a str>,
    up: Option<&'a Node<'a>>,
}

impl ValueSeed<'_> {
    /// The path to `key` of the object read at `at`.
    fn path(at: Option<&Node<'_>>, key: &str) -> String {
        let mut steps = vec![Step::Key(key)];
        let mut node = at;
        while let Some(n) = node {
            steps.push(n.step);
            node = n.up;
        }
        path_text(&steps)
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let node = Node {
                step: Step::Index(items.len()),
                up: self.at,
            };
            let seed = ValueSeed {
                at: Some(&node),
                twice: self.twice,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                self.twice.set(Some(ValueSeed::path(self.at, &key)));
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            let node = Node {
                step: Step::Key(&key),
                up: self.at,
            };
            let seed = ValueSeed {
                at: Some(&node),
                twice: self.twice,
            };
            let value = map.next_value_seed(seed)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// One step of the path to a value: an object's key or an array's index.
#[derive(Clone, Copy, Debug)]
enum Step<K> {
    Key(K),
    Index(usize),
}

/// The path as `a.b[2].c` (empty for the value itself), from steps gathered
/// innermost first.
fn path_text<K: AsRef<str>>(innermost_first: &[Step<K>]) -> String {
    let mut out = String::new();
    for step in innermost_first.iter().rev() {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k.as_ref());
            }
            Step::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// A shape error and where it is: the steps are gathered innermost first as
/// the error returns through each object and array.
#[derive(Debug)]
struct Error {
    message: String,
    steps: Vec<Step<String>>,
}

impl Error {
    fn at(mut self, step: Step<String>) -> Error {
        self.steps.push(step);
        self
    }

    fn violation(&self) -> Violation {
        let base = path_text(&self.steps);
        let message = self.message.clone();
        let join = |name: &str| {
            if base.is_empty() {
                name.to_owned()
            } else {
                format!("{base}.{name}")
            }
        };
        // serde names the field in backquotes: `unknown field `x`, expected …`.
        let quoted = message.split('`').nth(1).unwrap_or_default();
        if message.starts_with("unknown field") {
            Violation::new(join(quoted), Code::BodyUnknownField, message)
        } else if message.starts_with("missing field") {
            Violation::new(join(quoted), Code::BodyMissingField, message)
        } else {
            Violation::new(base, Code::BodyInvalidType, message)
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// serde_json's words for what was found (`null`, not serde's `unit value`),
/// numbers and strings written as JSON writes them.
struct Found<'a>(Unexpected<'a>);

impl fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Bool(b) => write!(f, "boolean `{b}`"),
            Unexpected::Unsigned(u) => write!(f, "integer `{u}`"),
            Unexpected::Signed(i) => write!(f, "integer `{i}`"),
            Unexpected::Float(v) => write!(f, "floating point `{}`", number(v)),
            Unexpected::Char(c) => write!(f, "character `{c}`"),
            Unexpected::Str(s) => write!(f, "string {}", quoted(s)),
            Unexpected::Bytes(_) => f.write_str("byte array"),
            Unexpected::Unit => f.write_str("null"),
            Unexpected::Option => f.write_str("Option value"),
            Unexpected::NewtypeStruct => f.write_str("newtype struct"),
            Unexpected::Seq => f.write_str("array"),
            Unexpected::Map => f.write_str("object"),
            Unexpected::Enum => f.write_str("enum"),
            Unexpected::UnitVariant => f.write_str("unit variant"),
            Unexpected::NewtypeVariant => f.write_str("newtype variant"),
            Unexpected::TupleVariant => f.write_str("tuple variant"),
            Unexpected::StructVariant => f.write_str("struct variant"),
            Unexpected::Other(other) => f.write_str(other),
        }
    }
}

/// A number as JSON writes it (`1.5`, `1e21`).
fn number(v: f64) -> String {
    serde_json::Number::from_f64(v).map_or_else(|| "NaN".to_owned(), |n| n.to_string())
}

/// A string as JSON writes it, quotes and escapes included.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error {
            message: msg.to_string(),
            steps: Vec::new(),
        }
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Error {
        Error::custom(format_args!(
            "invalid type: {}, expected {}",
            Found(unexp),
            wanted(exp, false)
        ))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Error {
        Error::custom(format_args!(
            "invalid value: {}, expected {}",
            Found(unexp),
            wanted(exp, true)
        ))
    }

    /// A key given twice in the text is refused before this reader runs
    /// ([`parse_json`]), so a field read twice here was given under two of
    /// its names (`pool` and its alias `agentPoolId`).
    fn duplicate_field(field: &'static str) -> Error {
        Error::custom(format_args!(
            "duplicate field `{field}`: it is given under two of its names"
        ))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Error {
        Error::custom(format_args!(
            "unknown value `{variant}`, expected {}",
            one_of(expected)
        ))
    }
}

/// What a reader expected, in the words of JSON: serde names Rust types
/// (`struct GrantForm`, `a sequence`, `u32`), which mean nothing to a caller
/// who sends JSON.
fn wanted(exp: &dyn de::Expected, range: bool) -> String {
    let rust = exp.to_string();
    let bounds = match rust.as_str() {
        "u8" => Some(("0", "255")),
        "u16" => Some(("0", "65535")),
        "u32" => Some(("0", "4294967295")),
        "u64" | "usize" => Some(("0", "18446744073709551615")),
        "i8" => Some(("-128", "127")),
        "i16" => Some(("-32768", "32767")),
        "i32" => Some(("-2147483648", "2147483647")),
        "i64" | "isize" => Some(("-9223372036854775808", "9223372036854775807")),
        _ => None,
    };
    if let Some((low, high)) = bounds {
        // The range only when the number is out of it: a wrong type is
        // told the kind of value, not a bound it has nothing to do with.
        return if range {
            format!("a whole number from {low} to {high}")
        } else {
            "a whole number".to_owned()
        };
    }
    let json = match rust.as_str() {
        "a sequence" => "an array",
        "a map" => "an object",
        "string or map" => "a string",
        "f32" | "f64" => "a number",
        "unit" => "null",
        other if other.starts_with("struct ") => "an object",
        _ => return rust,
    };
    json.to_owned()
}

/// `` `a` ``, `` `a` or `b` ``, `` one of `a`, `b`, `c` ``.
fn one_of(names: &[&str]) -> String {
    let ticked = |n: &&str| format!("`{n}`");
    match names {
        [] => "nothing: there are none".to_owned(),
        [one] => ticked(one),
        [a, b] => format!("{} or {}", ticked(a), ticked(b)),
        all => format!(
            "one of {}",
            all.iter().map(ticked).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// What a value is, in the words of an error.
fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Unexpected::Unsigned(u),
            (None, Some(i), _) => Unexpected::Signed(i),
            (None, None, f) => Unexpected::Float(f.unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// `deserialize_*` methods that read as `$to` does (their other arguments
/// unused).
macro_rules! forward {
    ($de:lifetime $to:ident => $($method:ident($($arg:ident: $ty:ty),*))*) => {
        $(
            fn $method<V: Visitor<$de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Error> {
                self.$to(visitor)
            }
        )*
    };
}

/// The deserializer over a parsed value. Everything goes through
/// `deserialize_any` but options, enums and newtypes, as serde_json's own
/// deserializer of values does, with the same answers.
#[derive(Clone, Copy)]
struct De<'a>(&'a Value);

impl<'de> Deserializer<'de> for De<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visit_array(items, visitor),
            Value::Object(map) => visit_object(map, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(variant) => visitor.visit_enum(Variant {
                name: variant,
                value: None,
            }),
            Value::Object(map) => {
                let mut entries = map.iter();
                match (entries.next(), entries.next()) {
                    (Some((name, value)), None) => visitor.visit_enum(Variant {
                        name,
                        value: Some(value),
                    }),
                    _ => Err(de::Error::invalid_value(
                        Unexpected::Map,
                        &"a string, or an object of one key",
                    )),
                }
            }
            other => Err(de::Error::invalid_type(unexpected(other), &"string or map")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Bool(b) => visitor.visit_bool(*b),
            other => Err(wrong(other, &visitor)),
        }
    }

    /// Every integer type reads here. A whole float (`3.0`, `-0`, `1e3`) is
    /// that integer; any other number goes to the visitor as it is, which
    /// refuses it.
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Number(n) => match n
                .as_f64()
                .filter(|_| n.is_f64())
                .map(|f| (f, whole_float(f)))
            {
                Some((f, Some(w))) => match (u64::try_from(w), i64::try_from(w)) {
                    (Ok(u), _) => visitor.visit_u64(u),
                    (_, Ok(i)) => visitor.visit_i64(i),
                    // A whole number beyond every integer type: out of range.
                    _ => Err(de::Error::invalid_value(Unexpected::Float(f), &visitor)),
                },
                _ => visit_number(n, visitor),
            },
            other => Err(wrong(other, &visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => visitor.visit_borrowed_str(s),
            other => Err(wrong(other, &visitor)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            other => Err(wrong(other, &visitor)),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => visit_array(items, visitor),
            other => Err(wrong(other, &visitor)),
        }
    }

    /// An object only (serde_json would also read an array, by position).
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => visit_object(map, visitor),
            other => Err(wrong(other, &visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! { bytes byte_buf }
    forward! { 'de deserialize_i64 => deserialize_i8() deserialize_i16() deserialize_i32()
    deserialize_i128() deserialize_u8() deserialize_u16() deserialize_u32() deserialize_u64()
    deserialize_u128() deserialize_f32() deserialize_f64() }
    forward! { 'de deserialize_str => deserialize_char() deserialize_string() deserialize_identifier() }
    forward! { 'de deserialize_seq => deserialize_tuple(_len: usize)
    deserialize_tuple_struct(_name: &'static str, _len: usize) }
    forward! { 'de deserialize_unit => deserialize_unit_struct(_name: &'static str) }
}

/// The one rule for a JSON number written with a fraction or an exponent
/// where a whole number goes (`3.0`, `-0`, `1e3`): a whole float is that
/// number, as an `i128` (`as` saturates beyond it, which no integer type
/// reaches anyway); any other float is not a whole number.
pub(crate) fn whole_float(f: f64) -> Option<i128> {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "a whole float; `as` saturates at the ends of i128"
    )]
    (f.is_finite() && f.fract() == 0.0).then_some(f as i128)
}

fn visit_number<'de, V: Visitor<'de>>(
    n: &serde_json::Number,
    visitor: V,
) -> Result<V::Value, Error> {
    match (n.as_u64(), n.as_i64(), n.as_f64()) {
        (Some(u), _, _) => visitor.visit_u64(u),
        (None, Some(i), _) => visitor.visit_i64(i),
        (None, None, f) => visitor.visit_f64(f.unwrap_or(f64::NAN)),
    }
}

fn visit_array<'de, V: Visitor<'de>>(items: &'de [Value], visitor: V) -> Result<V::Value, Error> {
    let mut seq = Seq {
        items: items.iter(),
        index: 0,
    };
    let out = visitor.visit_seq(&mut seq)?;
    all_read(out, seq.items.len(), items.len(), "fewer elements in array")
}

fn visit_object<'de, V: Visitor<'de>>(
    map: &'de Map<String, Value>,
    visitor: V,
) -> Result<V::Value, Error> {
    let mut access = Entries {
        entries: map.iter(),
        value: None,
    };
    let out = visitor.visit_map(&mut access)?;
    all_read(
        out,
        access.entries.len(),
        map.len(),
        "fewer elements in map",
    )
}

/// What a visitor read, if it read everything: `left` is what it left of `len`.
fn all_read<T>(out: T, left: usize, len: usize, expected: &'static str) -> Result<T, Error> {
    if left == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(len, &expected))
    }
}

/// A value of the wrong type for `expected`.
fn wrong(value: &Value, expected: &dyn de::Expected) -> Error {
    de::Error::invalid_type(unexpected(value), expected)
}

struct Seq<'a> {
    items: std::slice::Iter<'a, Value>,
    index: usize,
}

impl<'de> SeqAccess<'de> for Seq<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(De(item))
            .map(Some)
            .map_err(|e| e.at(Step::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'a> {
    entries: serde_json::map::Iter<'a>,
    value: Option<(&'a String, &'a Value)>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((key, value));
        let key = de::value::BorrowedStrDeserializer::<Error>::new(key);
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some((key, value)) => seed
                .deserialize(De(value))
                .map_err(|e| e.at(Step::Key(key.clone()))),
            None => Err(de::Error::custom("a value was asked before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum given as `"Variant"` or `{"Variant": value}`.
struct Variant<'a> {
    name: &'a str,
    value: Option<&'a Value>,
}

impl<'de> EnumAccess<'de> for Variant<'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let name = de::value::BorrowedStrDeserializer::<Error>::new(self.name);
        Ok((seed.deserialize(name)?, self))
    }
}

impl Variant<'_> {
    /// An error about the variant's value is at the variant (`roles[0].X`);
    /// one about its name (an unknown variant) is not.
    fn inside<T>(&self, read: Result<T, Error>) -> Result<T, Error> {
        read.map_err(|e| e.at(Step::Key(self.name.to_owned())))
    }
}

impl<'de> VariantAccess<'de> for Variant<'de> {
    type Error = Error;

    /// As serde_json: a unit variant given a value reads it as `()`.
    fn unit_variant(self) -> Result<(), Error> {
        match self.value {
            None | Some(Value::Null) => Ok(()),
            Some(other) => self.inside(Err(wrong(other, &"unit"))),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        match self.value {
            Some(value) => self.inside(seed.deserialize(De(value))),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Some(value @ Value::Array(_)) => self.inside(De(value).deserialize_any(visitor)),
            Some(other) => self.inside(Err(wrong(other, &"tuple variant"))),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"tuple variant",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Some(value @ (Value::Object(_) | Value::Array(_))) => {
                self.inside(De(value).deserialize_any(visitor))
            }
            Some(other) => self.inside(Err(wrong(other, &"struct variant"))),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
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
            (e.field.as_str(), e.code, e.message.as_str()),
            (
                "userEmails[1]",
                Code::BodyInvalidType,
                "invalid type: integer `7`, expected a string"
            )
        );
        let e = from_json_str::<CreateTempAccess>(r#"{"roles": [null]}"#).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("roles[0]", "invalid type: null, expected a string")
        );
        let e = from_json_str::<CreateTempAccess>(r#"{"name": "x""#).unwrap_err();
        assert_eq!(e.code, Code::BodyMalformed);
        let e = from_json_str::<CreateTempAccess>(r#"{} []"#).unwrap_err();
        assert_eq!(e.code, Code::BodyMalformed);
    }

    #[test]
    fn an_enum_error_is_at_the_variant_only_for_its_value() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code, reason = "only read")]
        enum Kind {
            Plain,
            Sized(u8),
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code, reason = "only read")]
        struct Holder {
            kinds: Vec<Kind>,
        }
        let read = |kinds: &str| from_json_str::<Holder>(&format!(r#"{{"kinds":{kinds}}}"#));
        let e = read(r#"[{"Nope":null}]"#).unwrap_err();
        assert_eq!(e.field, "kinds[0]");
        assert!(
            e.message == "unknown value `Nope`, expected `Plain` or `Sized`",
            "{}",
            e.message
        );
        let e = read(r#"[{"Plain":1}]"#).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("kinds[0].Plain", "invalid type: integer `1`, expected null")
        );
        let e = read(r#"[{"Sized":"x"}]"#).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            (
                "kinds[0].Sized",
                "invalid type: string \"x\", expected a whole number"
            )
        );
        let e = read("[7]").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("kinds[0]", "invalid type: integer `7`, expected a string")
        );
        assert!(read(r#"[{"Plain":null}, "Plain", {"Sized": 3}]"#).is_ok());
    }

    #[test]
    fn messages_speak_json_not_rust() {
        let e = from_json_str::<CreateTempAccess>("42").unwrap_err();
        assert_eq!(e.message, "invalid type: integer `42`, expected an object");
        let e = from_json_str::<CreateTempAccess>("[]").unwrap_err();
        assert_eq!(e.message, "invalid type: array, expected an object");
        let e = from_json_str::<CreateTempAccess>(r#"{"userEmails":{}}"#).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("userEmails", "invalid type: object, expected an array")
        );
        let e = from_json_str::<crate::limits::Limits>(
            r#"{"maxUsersPerGrant":-1,"maxPoolsPerGrant":1,"maxGrantDays":1,"maxActiveGrants":1}"#,
        )
        .unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            (
                "maxUsersPerGrant",
                "invalid value: integer `-1`, expected a whole number from 0 to 4294967295"
            )
        );
        let e = from_json_str::<crate::role::Role>(r#""ROOT""#).unwrap_err();
        assert!(
            e.message
                .starts_with("unknown value `ROOT`, expected one of `DEVELOPER`, ")
        );
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code, reason = "only read")]
        struct Aliased {
            #[serde(alias = "agentPoolId")]
            pool: String,
        }
        let e = from_json_str::<Aliased>(r#"{"pool":"a","agentPoolId":"b"}"#).unwrap_err();
        assert_eq!(
            e.message,
            "duplicate field `pool`: it is given under two of its names"
        );
        let limits = |users: &str| {
            from_json_str::<crate::limits::Limits>(&format!(
                r#"{{"maxUsersPerGrant":{users},"maxPoolsPerGrant":1,"maxGrantDays":1,"maxActiveGrants":1}}"#
            ))
        };
        assert_eq!(
            limits("3.0").unwrap().max_users_per_grant,
            3,
            "a whole float is an integer"
        );
        assert_eq!(limits("-0").unwrap().max_users_per_grant, 0);
        assert_eq!(limits("4e2").unwrap().max_users_per_grant, 400);
        let e = limits("1.5").unwrap_err();
        assert_eq!(
            e.message,
            "invalid type: floating point `1.5`, expected a whole number"
        );
        let e = limits("1e20").unwrap_err();
        assert!(
            e.message.starts_with("invalid value: floating point `1")
                && e.message
                    .ends_with("expected a whole number from 0 to 4294967295"),
            "{}",
            e.message
        );
        assert!(
            limits("-3.0")
                .unwrap_err()
                .message
                .starts_with("invalid value: integer `-3`")
        );
        assert_eq!(one_of(&[]), "nothing: there are none");
        assert_eq!(one_of(&["a"]), "`a`");
    }

    #[test]
    fn a_key_given_twice_is_refused() {
        let e =
            from_json_str::<CreateTempAccess>(r#"{"name":"a","roles":[],"name":"b"}"#).unwrap_err();
        assert_eq!(e.code, Code::BodyInvalidType);
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("name", "duplicate field `name`")
        );
        let e = parse_json(r#"{"a":[{"b":1},{"b":1,"b":2}]}"#).unwrap_err();
        assert_eq!(e.field, "a[1].b");
        assert!(parse_json(r#"[{"b":1},{"b":2}]"#).is_ok());
    }

    #[test]
    fn text_and_value_read_the_same() {
        let text = r#"{"userEmails":["a@b.co"],"agentPoolIds":[1.5],"roles":"x"}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            from_json_str::<CreateTempAccess>(text).unwrap_err(),
            from_value::<CreateTempAccess>(value).unwrap_err()
        );
        let e = from_json_str::<CreateTempAccess>(r#"{"agentPoolIds":[1.5]}"#).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            (
                "agentPoolIds[0]",
                "invalid type: floating point `1.5`, expected a string"
            )
        );
    }
}
