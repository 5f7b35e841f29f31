//! [`Code`]: a string builder with indentation, used by every emitter.

/// Source text with an indentation level.
#[derive(Debug, Default, Clone)]
pub struct Code {
    text: String,
    level: usize,
    unit: &'static str,
}

impl Code {
    /// An empty buffer indenting by `unit` (four spaces for Python, two for TypeScript).
    pub fn new(unit: &'static str) -> Self {
        Code { text: String::new(), level: 0, unit }
    }

    /// Appends one line at the current indentation (an empty `line` adds a blank line).
    pub fn line(&mut self, line: impl AsRef<str>) -> &mut Self {
        let line = line.as_ref();
        if !line.is_empty() {
            for _ in 0..self.level {
                self.text.push_str(self.unit);
            }
            self.text.push_str(line);
        }
        self.text.push('\n');
        self
    }

    /// Appends several lines (split on `\n`) at the current indentation.
    pub fn lines(&mut self, text: &str) -> &mut Self {
        for l in text.lines() {
            self.line(l);
        }
        self
    }

    /// Indents the following lines one level more.
    pub fn indent(&mut self) -> &mut Self {
        self.level += 1;
        self
    }

    /// Indents the following lines one level less.
    pub fn dedent(&mut self) -> &mut Self {
        self.level = self.level.saturating_sub(1);
        self
    }

    /// The text.
    pub fn finish(self) -> String {
        self.text
    }
}
