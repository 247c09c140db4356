//! A reader of the subset of TypeScript that `types.d.ts` is written in
//! (`export type`, `export interface … extends …`, object literals, unions,
//! intersections, arrays, string and number literals, generics with
//! defaults, `Record`, `Omit`), and what the tests ask of it: the
//! properties of an object type, the literals of a union, and whether a
//! JSON value has a type (what `tsc --strict` checks of an object literal:
//! no unknown key, no missing required one).

use std::collections::{BTreeMap, BTreeSet};

/// A type expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Union(Vec<Ty>),
    Inter(Vec<Ty>),
    Obj(Vec<Prop>),
    Str(String),
    Num(String),
    Array(Box<Ty>),
    /// A name with its type arguments: a declaration, a type parameter, or
    /// a keyword (`string`, `number`, `boolean`, `unknown`, `never`,
    /// `null`, `undefined`, `Record`, `Omit`).
    Ref(String, Vec<Ty>),
}

/// A property of an object type.
#[derive(Clone, Debug, PartialEq)]
pub struct Prop {
    pub name: String,
    pub optional: bool,
    pub ty: Ty,
}

/// A declaration: `type Name<P> = …`, or `interface Name<P> extends … {…}`
/// kept as the intersection of what it extends and its members.
#[derive(Clone, Debug)]
pub struct Decl {
    pub params: Vec<(String, Option<Ty>)>,
    pub body: Ty,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Punct(char),
}

fn tokens(text: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = at(i);
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && at(i) != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            i += 2;
            while i < chars.len() && !(at(i) == '*' && at(i + 1) == '/') {
                i += 1;
            }
            i += 2;
        } else if c == '"' || c == '\'' {
            let mut s = String::new();
            i += 1;
            while i < chars.len() && at(i) != c {
                if at(i) == '\\' {
                    i += 1;
                }
                s.push(at(i));
                i += 1;
            }
            i += 1;
            out.push(Tok::Str(s));
        } else if c.is_ascii_digit() {
            let start = i;
            while at(i).is_ascii_digit() || at(i) == '.' {
                i += 1;
            }
            out.push(Tok::Num(chars[start..i].iter().collect()));
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while at(i).is_alphanumeric() || at(i) == '_' || at(i) == '$' {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if "{}()[]<>;:,|&?=.".contains(c) {
            out.push(Tok::Punct(c));
            i += 1;
        } else {
            let line = chars[..i].iter().filter(|c| **c == '\n').count() + 1;
            return Err(format!("types.d.ts:{line}: unexpected character `{c}`"));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn is(&self, c: char) -> bool {
        self.peek() == Some(&Tok::Punct(c))
    }

    fn eat(&mut self, c: char) -> bool {
        let yes = self.is(c);
        if yes {
            self.pos += 1;
        }
        yes
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!(
                "expected `{c}`, found {:?} {}",
                self.peek(),
                self.near()
            ))
        }
    }

    fn near(&self) -> String {
        let from = self.pos.saturating_sub(6);
        let to = (self.pos + 3).min(self.toks.len());
        format!("near {:?}", self.toks.get(from..to).unwrap_or_default())
    }

    fn ident(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Ident(s)) => Ok(s),
            other => Err(format!("expected a name, found {other:?} {}", self.near())),
        }
    }

    fn keyword(&mut self, word: &str) -> bool {
        let yes = self.peek() == Some(&Tok::Ident(word.to_owned()));
        if yes {
            self.pos += 1;
        }
        yes
    }

    fn params(&mut self) -> Result<Vec<(String, Option<Ty>)>, String> {
        let mut params = Vec::new();
        if self.eat('<') {
            loop {
                let name = self.ident()?;
                if self.keyword("extends") {
                    self.ty()?;
                }
                let default = if self.eat('=') {
                    Some(self.ty()?)
                } else {
                    None
                };
                params.push((name, default));
                if !self.eat(',') {
                    break;
                }
            }
            self.expect('>')?;
        }
        Ok(params)
    }

    fn members(&mut self) -> Result<Vec<Prop>, String> {
        let mut props = Vec::new();
        while !self.eat('}') {
            let name = match self.next() {
                Some(Tok::Ident(s) | Tok::Str(s)) => s,
                other => {
                    return Err(format!(
                        "expected a property, found {other:?} {}",
                        self.near()
                    ));
                }
            };
            let optional = self.eat('?');
            self.expect(':')?;
            let ty = self.ty()?;
            if !self.eat(';') {
                self.eat(',');
            }
            props.push(Prop { name, optional, ty });
        }
        Ok(props)
    }

    fn ty(&mut self) -> Result<Ty, String> {
        self.eat('|');
        let mut parts = vec![self.inter()?];
        while self.eat('|') {
            parts.push(self.inter()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Ty::Union(parts)
        })
    }

    fn inter(&mut self) -> Result<Ty, String> {
        let mut parts = vec![self.postfix()?];
        while self.eat('&') {
            parts.push(self.postfix()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Ty::Inter(parts)
        })
    }

    fn postfix(&mut self) -> Result<Ty, String> {
        let mut t = self.primary()?;
        while self.is('[') && self.toks.get(self.pos + 1) == Some(&Tok::Punct(']')) {
            self.pos += 2;
            t = Ty::Array(Box::new(t));
        }
        Ok(t)
    }

    fn primary(&mut self) -> Result<Ty, String> {
        match self.next() {
            Some(Tok::Punct('(')) => {
                let t = self.ty()?;
                self.expect(')')?;
                Ok(t)
            }
            Some(Tok::Punct('{')) => Ok(Ty::Obj(self.members()?)),
            Some(Tok::Str(s)) => Ok(Ty::Str(s)),
            Some(Tok::Num(n)) => Ok(Ty::Num(n)),
            Some(Tok::Ident(name)) => {
                let mut args = Vec::new();
                if self.eat('<') {
                    loop {
                        args.push(self.ty()?);
                        if !self.eat(',') {
                            break;
                        }
                    }
                    self.expect('>')?;
                }
                Ok(Ty::Ref(name, args))
            }
            other => Err(format!("expected a type, found {other:?} {}", self.near())),
        }
    }
}

/// The declarations of a `.d.ts` text, by name.
pub fn parse(text: &str) -> Result<BTreeMap<String, Decl>, String> {
    let mut p = Parser {
        toks: tokens(text)?,
        pos: 0,
    };
    let mut decls = BTreeMap::new();
    while p.peek().is_some() {
        if !p.keyword("export") {
            return Err(format!("expected `export` {}", p.near()));
        }
        let (name, decl) = if p.keyword("type") {
            let name = p.ident()?;
            let params = p.params()?;
            p.expect('=')?;
            let body = p.ty()?;
            p.expect(';')?;
            let decl = Decl { params, body };
            (name, decl)
        } else if p.keyword("interface") {
            let name = p.ident()?;
            let params = p.params()?;
            let mut parts = Vec::new();
            if p.keyword("extends") {
                loop {
                    parts.push(p.postfix()?);
                    if !p.eat(',') {
                        break;
                    }
                }
            }
            p.expect('{')?;
            parts.push(Ty::Obj(p.members()?));
            let body = if parts.len() == 1 {
                parts.remove(0)
            } else {
                Ty::Inter(parts)
            };
            let decl = Decl { params, body };
            (name, decl)
        } else {
            return Err(format!("expected `type` or `interface` {}", p.near()));
        };
        if decls.insert(name.clone(), decl).is_some() {
            return Err(format!("`{name}` is declared twice"));
        }
    }
    Ok(decls)
}

const KEYWORDS: &[&str] = &[
    "string",
    "number",
    "boolean",
    "unknown",
    "never",
    "null",
    "undefined",
    "Record",
    "Omit",
    "Error",
];

/// The declarations and what is asked of them.
pub struct Types {
    pub decls: BTreeMap<String, Decl>,
}

/// One object shape: its properties by name (a property given by several
/// parts of an intersection has each part's type).
#[derive(Clone, Debug, Default)]
pub struct Shape {
    pub props: BTreeMap<String, (bool, Vec<Ty>)>,
}

impl Shape {
    fn add(&mut self, p: &Prop) {
        let e = self
            .props
            .entry(p.name.clone())
            .or_insert((true, Vec::new()));
        e.0 &= p.optional;
        e.1.push(p.ty.clone());
    }

    /// Declared as `name?: undefined`: a property this variant must not have.
    pub fn forbids(&self, name: &str) -> bool {
        self.props.get(name).is_some_and(|(_, tys)| {
            tys.iter()
                .any(|t| matches!(t, Ty::Ref(n, a) if n == "undefined" && a.is_empty()))
        })
    }
}

fn subst(ty: &Ty, env: &BTreeMap<String, Ty>) -> Ty {
    match ty {
        Ty::Ref(name, args) if args.is_empty() && env.contains_key(name) => {
            env.get(name).cloned().unwrap_or_else(|| ty.clone())
        }
        Ty::Ref(name, args) => Ty::Ref(name.clone(), args.iter().map(|a| subst(a, env)).collect()),
        Ty::Union(v) => Ty::Union(v.iter().map(|t| subst(t, env)).collect()),
        Ty::Inter(v) => Ty::Inter(v.iter().map(|t| subst(t, env)).collect()),
        Ty::Array(t) => Ty::Array(Box::new(subst(t, env))),
        Ty::Obj(props) => Ty::Obj(
            props
                .iter()
                .map(|p| Prop {
                    name: p.name.clone(),
                    optional: p.optional,
                    ty: subst(&p.ty, env),
                })
                .collect(),
        ),
        Ty::Str(_) | Ty::Num(_) => ty.clone(),
    }
}

impl Types {
    pub fn new(text: &str) -> Result<Types, String> {
        let decls = parse(text)?;
        let types = Types { decls };
        let mut unknown = BTreeSet::new();
        for decl in types.decls.values() {
            let params: BTreeSet<&str> = decl.params.iter().map(|(n, _)| n.as_str()).collect();
            types.names(&decl.body, &params, &mut unknown);
        }
        if unknown.is_empty() {
            Ok(types)
        } else {
            Err(format!("types.d.ts names undeclared types: {unknown:?}"))
        }
    }

    fn names(&self, ty: &Ty, params: &BTreeSet<&str>, unknown: &mut BTreeSet<String>) {
        match ty {
            Ty::Ref(name, args) => {
                if !self.decls.contains_key(name)
                    && !KEYWORDS.contains(&name.as_str())
                    && !params.contains(name.as_str())
                {
                    unknown.insert(name.clone());
                }
                args.iter().for_each(|a| self.names(a, params, unknown));
            }
            Ty::Union(v) | Ty::Inter(v) => v.iter().for_each(|t| self.names(t, params, unknown)),
            Ty::Array(t) => self.names(t, params, unknown),
            Ty::Obj(props) => props
                .iter()
                .for_each(|p| self.names(&p.ty, params, unknown)),
            Ty::Str(_) | Ty::Num(_) => {}
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.decls.contains_key(name)
    }

    /// A declaration's body with its type arguments (or their defaults) in place.
    pub fn instantiate(&self, name: &str, args: &[Ty]) -> Option<Ty> {
        let decl = self.decls.get(name)?;
        let mut env = BTreeMap::new();
        for (i, (param, default)) in decl.params.iter().enumerate() {
            let arg = args
                .get(i)
                .cloned()
                .or_else(|| default.as_ref().map(|d| subst(d, &env)))
                .unwrap_or(Ty::Ref("unknown".into(), Vec::new()));
            env.insert(param.clone(), arg);
        }
        Some(subst(&decl.body, &env))
    }

    /// A type with its outer alias references followed (not those inside).
    pub fn expand(&self, ty: &Ty) -> Ty {
        let mut ty = ty.clone();
        for _ in 0..32 {
            match &ty {
                Ty::Ref(name, args) if self.has(name) => match self.instantiate(name, args) {
                    Some(t) => ty = t,
                    None => break,
                },
                _ => break,
            }
        }
        ty
    }

    /// The object shapes a type can take: one per variant of its unions.
    /// `None` when it is not an object type.
    pub fn shapes(&self, ty: &Ty) -> Option<Vec<Shape>> {
        match self.expand(ty) {
            Ty::Obj(props) => {
                let mut s = Shape::default();
                props.iter().for_each(|p| s.add(p));
                Some(vec![s])
            }
            Ty::Union(v) => {
                let mut out = Vec::new();
                for t in &v {
                    out.extend(self.shapes(t)?);
                }
                Some(out)
            }
            Ty::Inter(v) => {
                let mut acc = vec![Shape::default()];
                for t in &v {
                    let parts = self.shapes(t)?;
                    let mut next = Vec::new();
                    for a in &acc {
                        for b in &parts {
                            let mut m = a.clone();
                            for (name, (opt, tys)) in &b.props {
                                let e = m.props.entry(name.clone()).or_insert((true, Vec::new()));
                                e.0 &= *opt;
                                e.1.extend(tys.iter().cloned());
                            }
                            next.push(m);
                        }
                    }
                    acc = next;
                }
                Some(acc)
            }
            // What `interface … extends Error` inherits.
            Ty::Ref(name, args) if name == "Error" && args.is_empty() => {
                let mut s = Shape::default();
                for (name, optional) in [("name", false), ("message", false), ("stack", true)] {
                    s.add(&Prop {
                        name: name.into(),
                        optional,
                        ty: Ty::Ref("string".into(), Vec::new()),
                    });
                }
                Some(vec![s])
            }
            Ty::Ref(name, args) if name == "Omit" => {
                let keys = self.literals(args.get(1)?)?;
                let mut shapes = self.shapes(args.first()?)?;
                for s in &mut shapes {
                    s.props.retain(|k, _| !keys.contains(k));
                }
                Some(shapes)
            }
            _ => None,
        }
    }

    /// The properties of an object type, its union's variants flattened: a
    /// property is optional unless every variant requires it; `?: undefined`
    /// (a variant that must not have it) counts as absent there.
    pub fn flat_props(&self, ty: &Ty) -> Option<BTreeMap<String, bool>> {
        let shapes = self.shapes(ty)?;
        let mut names = BTreeSet::new();
        for s in &shapes {
            for name in s.props.keys() {
                names.insert(name.clone());
            }
        }
        let mut out = BTreeMap::new();
        for name in names {
            let required = shapes.iter().all(|s| {
                !s.forbids(&name) && s.props.get(&name).is_some_and(|(optional, _)| !optional)
            });
            out.insert(name, required);
        }
        Some(out)
    }

    /// The string (or number) literals of a union of literals, `None` if any
    /// part is something else.
    pub fn literals(&self, ty: &Ty) -> Option<BTreeSet<String>> {
        match self.expand(ty) {
            Ty::Str(s) | Ty::Num(s) => Some(BTreeSet::from([s])),
            Ty::Union(v) => {
                let mut out = BTreeSet::new();
                for t in &v {
                    out.extend(self.literals(t)?);
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// Why `value` is not of type `ty`, as `path: problem` lines (none: it is).
    pub fn check(&self, ty: &Ty, value: &serde_json::Value, path: &str) -> Vec<String> {
        use serde_json::Value as V;
        let fail = |what: &str| vec![format!("{path}: {what}, found {}", short(value))];
        // A union of literals: one of them.
        if let Some(literals) = self.literals(ty) {
            let found = match value {
                V::String(s) => Some(s.clone()),
                V::Number(n) => Some(n.to_string()),
                _ => None,
            };
            return match found {
                Some(v) if literals.contains(&v) => Vec::new(),
                _ => fail(&format!("expected a `{}`", text_of(ty))),
            };
        }
        let ty = self.expand(ty);
        match &ty {
            Ty::Str(s) => match value {
                V::String(v) if v == s => Vec::new(),
                _ => fail(&format!("expected \"{s}\"")),
            },
            Ty::Num(n) => match value {
                V::Number(v) if v.to_string() == *n => Vec::new(),
                _ => fail(&format!("expected {n}")),
            },
            Ty::Array(item) => match value {
                V::Array(items) => items
                    .iter()
                    .enumerate()
                    .flat_map(|(i, v)| self.check(item, v, &format!("{path}[{i}]")))
                    .collect(),
                _ => fail("expected an array"),
            },
            // A union of objects: the variant its tag (`type`, `kind`) names.
            Ty::Union(_) if value.is_object() && self.shapes(&ty).is_some() => {
                self.check_object(&ty, value, path)
            }
            Ty::Union(variants) => {
                let mut best: Option<Vec<String>> = None;
                for v in variants {
                    let errors = self.check(v, value, path);
                    if errors.is_empty() {
                        return errors;
                    }
                    if best.as_ref().is_none_or(|b| errors.len() < b.len()) {
                        best = Some(errors);
                    }
                }
                best.unwrap_or_default()
            }
            Ty::Ref(name, args) => match (name.as_str(), value) {
                ("unknown", _)
                | ("string", V::String(_))
                | ("number", V::Number(_))
                | ("boolean", V::Bool(_))
                | ("null", V::Null) => Vec::new(),
                ("Record", V::Object(map)) => {
                    let keys = args.first().and_then(|k| self.literals(k));
                    let Some(val) = args.get(1) else {
                        return fail("Record without a value type");
                    };
                    let mut errors = Vec::new();
                    if let Some(keys) = &keys {
                        for k in keys {
                            if !map.contains_key(k) {
                                errors.push(format!("{path}: missing key `{k}`"));
                            }
                        }
                    }
                    for (k, v) in map {
                        if keys.as_ref().is_some_and(|keys| !keys.contains(k)) {
                            errors.push(format!("{path}.{k}: not a declared key"));
                        } else {
                            errors.extend(self.check(val, v, &format!("{path}.{k}")));
                        }
                    }
                    errors
                }
                ("Omit", _) => self.check_object(&ty, value, path),
                _ => fail(&format!("expected {name}")),
            },
            Ty::Obj(_) | Ty::Inter(_) => self.check_object(&ty, value, path),
        }
    }

    fn check_object(&self, ty: &Ty, value: &serde_json::Value, path: &str) -> Vec<String> {
        let Some(shapes) = self.shapes(ty) else {
            return vec![format!("{path}: a type that is not an object")];
        };
        let serde_json::Value::Object(map) = value else {
            return vec![format!(
                "{path}: expected an object, found {}",
                short(value)
            )];
        };
        let mut best: Option<((bool, usize), Vec<String>)> = None;
        for shape in &shapes {
            let mut errors = Vec::new();
            for (name, (optional, tys)) in &shape.props {
                match map.get(name) {
                    None if !optional && !shape.forbids(name) => {
                        errors.push(format!("{path}: missing required `{name}`"));
                    }
                    None => {}
                    Some(_) if shape.forbids(name) => {
                        errors.push(format!("{path}.{name}: must be absent in this variant"));
                    }
                    Some(v) => {
                        for t in tys {
                            errors.extend(self.check(t, v, &format!("{path}.{name}")));
                        }
                    }
                }
            }
            for key in map.keys() {
                if !shape.props.contains_key(key) {
                    errors.push(format!("{path}.{key}: not a declared property"));
                }
            }
            if errors.is_empty() {
                return errors;
            }
            // A variant whose literal-typed property (its tag) the value
            // does not match is the last one to blame.
            let untagged = shape.props.iter().any(|(name, (_, tys))| {
                map.get(name).is_some_and(|v| {
                    tys.iter().any(|t| {
                        self.literals(t)
                            .is_some_and(|l| v.as_str().is_none_or(|s| !l.contains(s)))
                    })
                })
            });
            let rank = (untagged, errors.len());
            if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                best = Some((rank, errors));
            }
        }
        best.map(|(_, e)| e).unwrap_or_default()
    }
}

fn text_of(ty: &Ty) -> String {
    match ty {
        Ty::Ref(name, _) => name.clone(),
        Ty::Str(s) => format!("\"{s}\""),
        Ty::Num(n) => n.clone(),
        Ty::Union(v) => v.iter().map(text_of).collect::<Vec<_>>().join(" | "),
        _ => "literal".into(),
    }
}

fn short(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}
