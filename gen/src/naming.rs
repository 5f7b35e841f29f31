//! Names: splitting spec names into words, case styles, and identifiers that are valid and
//! collision-free in a target language (reserved words, leading digits, non-ASCII).

use std::collections::BTreeSet;

/// Splits `s` into lower-case ASCII words at case changes, digits boundaries kept, and any
/// non-alphanumeric character. Non-ASCII letters are transliterated to `x` + hex code.
pub fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() && c.is_ascii_uppercase() => true,
                Some(p) if p.is_ascii_digit() && c.is_ascii_alphabetic() => false,
                Some(p) if p.is_ascii_uppercase() && c.is_ascii_uppercase() => {
                    next.is_some_and(|n| n.is_ascii_lowercase())
                }
                _ => false,
            };
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c.to_ascii_lowercase());
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if !c.is_ascii() && c.is_alphanumeric() {
                out.push(format!("x{:x}", c as u32));
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn cap(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `PascalCase` of `s` (`"payment method"` → `PaymentMethod`); may start with a digit.
pub fn pascal(s: &str) -> String {
    words(s).iter().map(|w| cap(w)).collect()
}

/// `snake_case` of `s`.
pub fn snake(s: &str) -> String {
    words(s).join("_")
}

/// `camelCase` of `s`.
pub fn camel(s: &str) -> String {
    let w = words(s);
    let mut out = String::new();
    for (i, word) in w.iter().enumerate() {
        if i == 0 {
            out.push_str(word);
        } else {
            out.push_str(&cap(word));
        }
    }
    out
}

/// A target language's identifier rules.
#[derive(Debug, Clone, Copy)]
pub struct Lang {
    /// Words that cannot be identifiers (or shadow something needed).
    pub reserved: &'static [&'static str],
}

/// Python keywords, soft keywords and builtins the generated code uses.
pub const PYTHON: Lang = Lang {
    reserved: &[
        "False",
        "None",
        "True",
        "and",
        "as",
        "assert",
        "async",
        "await",
        "break",
        "class",
        "continue",
        "def",
        "del",
        "elif",
        "else",
        "except",
        "finally",
        "for",
        "from",
        "global",
        "if",
        "import",
        "in",
        "is",
        "lambda",
        "nonlocal",
        "not",
        "or",
        "pass",
        "raise",
        "return",
        "try",
        "while",
        "with",
        "yield",
        "self",
        "cls",
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "list",
        "dict",
        "object",
        "type",
        "Any",
        "Dict",
        "List",
        "Optional",
        "Union",
        "Literal",
        "Mapping",
        "Sequence",
        "TypedDict",
        "NotRequired",
        "Required",
        "Iterator",
        "AsyncIterator",
        "Tuple",
        "cast",
        "TYPE_CHECKING",
        "annotations",
        "Client",
        "AsyncClient",
        "ApiError",
        "match",
        "case",
        "print",
        "id",
        "format",
        "input",
        "filter",
        "map",
        "range",
        "set",
        "len",
    ],
};

/// TypeScript reserved words and global type names the generated code uses.
pub const TYPESCRIPT: Lang = Lang {
    reserved: &[
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "new",
        "null",
        "return",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "as",
        "implements",
        "interface",
        "let",
        "package",
        "private",
        "protected",
        "public",
        "static",
        "yield",
        "any",
        "boolean",
        "number",
        "string",
        "symbol",
        "type",
        "from",
        "of",
        "await",
        "async",
        "arguments",
        "eval",
        "undefined",
        "never",
        "unknown",
        "object",
        "Object",
        "String",
        "Number",
        "Boolean",
        "Array",
        "Record",
        "Promise",
        "Date",
        "Error",
        "Blob",
        "File",
        "Uint8Array",
        "Map",
        "Set",
        "Symbol",
        "JSON",
        "Math",
        "Partial",
        "Required",
        "Readonly",
        "Pick",
        "Omit",
        "Exclude",
        "Extract",
        "Function",
        "Client",
        "ApiError",
        "RequestOptions",
        "Transport",
        "AsyncIterable",
        "AsyncIterableIterator",
        "Iterable",
        "Headers",
        "URL",
        "URLSearchParams",
        "FormData",
        "Response",
        "Request",
        "globalThis",
    ],
};

/// Makes `candidate` a valid identifier for `lang`: empty → `_`, a leading digit gets `_`, a
/// reserved word gets a trailing `_`.
pub fn ident(candidate: &str, lang: Lang) -> String {
    let mut s = if candidate.is_empty() { "_".to_owned() } else { candidate.to_owned() };
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if lang.reserved.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// Hands out identifiers unique within one scope (exact match, and also case-insensitively so
/// `User`/`user` files cannot clash on case-insensitive file systems).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Scope::default()
    }

    /// Reserves `name` as taken (e.g. names the emitter itself defines).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_ascii_lowercase());
    }

    /// `base`, or `base2`, `base3`, … — the first not yet taken; marks it taken.
    pub fn claim(&mut self, base: &str) -> String {
        let mut n = 1usize;
        loop {
            let candidate = if n == 1 { base.to_owned() } else { format!("{base}{n}") };
            if self.taken.insert(candidate.to_ascii_lowercase()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_every_case_style() {
        assert_eq!(words("createPayment"), ["create", "payment"]);
        assert_eq!(words("HTTPServer_v2-beta"), ["http", "server", "v2", "beta"]);
        assert_eq!(words("  "), Vec::<String>::new());
        assert_eq!(pascal("payment_method"), "PaymentMethod");
        assert_eq!(snake("PaymentMethod"), "payment_method");
        assert_eq!(camel("list-all payments"), "listAllPayments");
        assert_eq!(words("café"), ["caf", "xe9"]);
    }

    #[test]
    fn identifiers_are_valid_and_unique() {
        assert_eq!(ident("class", PYTHON), "class_");
        assert_eq!(ident("3d", TYPESCRIPT), "_3d");
        assert_eq!(ident("", PYTHON), "_");
        let mut scope = Scope::new();
        assert_eq!(scope.claim("User"), "User");
        assert_eq!(scope.claim("user"), "user2");
        assert_eq!(scope.claim("User"), "User3");
    }
}
