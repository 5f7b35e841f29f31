//! [`Error`]: every way a generation can fail, with the JSON Pointer (and line, where known) of
//! the construct at fault. The CLI prints it and exits with status 2.

use std::fmt;

/// What went wrong (the stable machine code is [`Error::code`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io,
    /// The text is neither valid JSON nor valid YAML.
    Syntax,
    /// The document is not OpenAPI 3.0.x / 3.1.x (e.g. Swagger 2.0).
    UnsupportedVersion,
    /// A `$ref` points to nothing.
    DanglingRef,
    /// A `$ref` chain loops without reaching a value.
    RefLoop,
    /// The document violates OpenAPI in a way the generator cannot work around.
    Invalid,
    /// The command line is wrong.
    Usage,
}

/// A generation error: kind, message, and where (file, JSON Pointer, line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    file: Option<String>,
    pointer: Option<String>,
    line: Option<usize>,
}

impl Error {
    /// A new error of `kind` with `message` (no location yet).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), file: None, pointer: None, line: None }
    }

    /// Sets the JSON Pointer of the construct at fault.
    #[must_use]
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// Sets the file the construct is in.
    #[must_use]
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Sets the 1-based line number.
    #[must_use]
    pub fn line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The JSON Pointer of the construct at fault, when known.
    pub fn pointer(&self) -> Option<&str> {
        self.pointer.as_deref()
    }

    /// The 1-based line, when known.
    pub fn line_number(&self) -> Option<usize> {
        self.line
    }

    /// A stable machine code: `io`, `syntax`, `unsupported_version`, `dangling_ref`, `ref_loop`,
    /// `invalid`, `usage`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            ErrorKind::Io => "io",
            ErrorKind::Syntax => "syntax",
            ErrorKind::UnsupportedVersion => "unsupported_version",
            ErrorKind::DanglingRef => "dangling_ref",
            ErrorKind::RefLoop => "ref_loop",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Usage => "usage",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]", self.code())?;
        if let Some(file) = &self.file {
            write!(f, " {file}")?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
        } else if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(p) = &self.pointer {
            write!(f, " at #{p}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;
