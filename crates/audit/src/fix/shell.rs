//! Command lines for a POSIX shell (sh, bash, zsh), every argument quoted.
//!
//! A value from AWS or from the snapshot (a group's name, a rule's description, a bucket policy) is hostile: it
//! may hold `'`, `$(...)`, a newline. Each word is written bare only when it is made of characters no shell
//! treats specially, and otherwise in single quotes, inside which nothing is special; a `'` in it becomes
//! `'\''` (close, an escaped quote, open again). What the user supplies is a shell variable in double quotes
//! (`"$ADMIN_CIDR"`), the one expansion a command asks for, spliced into a JSON value where the value needs it.

use super::Choice;

/// Whether `c` means nothing to a shell, anywhere in a word.
fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '@' | '%' | '+' | '=' | ':' | ',' | '.' | '/' | '_' | '-')
}

/// The word as a shell must read it to pass `word` as one argument, unchanged.
pub fn quote(word: &str) -> String {
    if !word.is_empty() && word.chars().all(plain) {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// `"$NAME"`: the user's value, one argument however it is spelled.
fn variable(choice: &Choice) -> String {
    debug_assert!(choice.shell.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'));
    format!("\"${}\"", choice.shell)
}

/// A JSON value of a command's option, with the user's values in it as shell variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json {
    Object(Vec<(&'static str, Json)>),
    Array(Vec<Json>),
    String(String),
    Number(i64),
    Bool(bool),
    /// A string the user supplies: `"'"$ADMIN_CIDR"'"` in the command, a JSON string once the shell has run.
    StringVar(Choice),
    /// A number the user supplies: `'"$PORT"'`.
    NumberVar(Choice),
}

impl Json {
    pub fn str(text: &str) -> Json {
        Json::String(text.to_string())
    }

    /// The value as one shell word: literal JSON in single quotes, each variable spliced in between.
    pub fn word(&self) -> String {
        let mut pieces = Vec::new();
        self.write(&mut pieces);
        // Adjacent literal text, then each piece as the shell writes it.
        let mut word = String::new();
        let mut literal = String::new();
        for piece in pieces {
            match piece {
                Piece::Text(t) => literal.push_str(&t),
                Piece::Var(c) => {
                    if !literal.is_empty() {
                        word.push_str(&format!("'{}'", literal.replace('\'', r"'\''")));
                        literal.clear();
                    }
                    word.push_str(&variable(&c));
                }
            }
        }
        if !literal.is_empty() {
            word.push_str(&format!("'{}'", literal.replace('\'', r"'\''")));
        }
        word
    }

    fn write(&self, out: &mut Vec<Piece>) {
        let text = |out: &mut Vec<Piece>, t: &str| out.push(Piece::Text(t.to_string()));
        match self {
            Json::Object(members) => {
                text(out, "{");
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        text(out, ",");
                    }
                    text(out, &format!("{}:", serde_json::Value::from(*key)));
                    value.write(out);
                }
                text(out, "}");
            }
            Json::Array(items) => {
                text(out, "[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        text(out, ",");
                    }
                    item.write(out);
                }
                text(out, "]");
            }
            // serde_json escapes what JSON must (quotes, backslashes, control characters).
            Json::String(s) => text(out, &serde_json::Value::from(s.as_str()).to_string()),
            Json::Number(n) => text(out, &n.to_string()),
            Json::Bool(b) => text(out, if *b { "true" } else { "false" }),
            Json::StringVar(c) => {
                text(out, "\"");
                out.push(Piece::Var(*c));
                text(out, "\"");
            }
            Json::NumberVar(c) => out.push(Piece::Var(*c)),
        }
    }

    /// The user's values this value reads.
    fn choices(&self, out: &mut Vec<Choice>) {
        match self {
            Json::Object(members) => members.iter().for_each(|(_, v)| v.choices(out)),
            Json::Array(items) => items.iter().for_each(|v| v.choices(out)),
            Json::StringVar(c) | Json::NumberVar(c) => out.push(*c),
            Json::String(_) | Json::Number(_) | Json::Bool(_) => {}
        }
    }
}

enum Piece {
    Text(String),
    Var(Choice),
}

/// One command line, argument by argument.
#[derive(Debug, Clone)]
pub struct Command {
    words: Vec<String>,
    choices: Vec<Choice>,
}

impl Command {
    /// `aws <service> <operation> --region <region>`; `region` is `None` for a global service (IAM).
    pub fn aws(service: &str, operation: &str, region: Option<&str>) -> Command {
        let command = Command { words: vec!["aws".into(), quote(service), quote(operation)], choices: Vec::new() };
        match region {
            Some(region) => command.arg("--region", region),
            None => command,
        }
    }

    /// `sgaudit <subcommand>`.
    pub fn sgaudit(subcommand: &str) -> Command {
        Command { words: vec!["sgaudit".into(), quote(subcommand)], choices: Vec::new() }
    }

    /// `--option 'value'`.
    pub fn arg(mut self, option: &'static str, value: &str) -> Command {
        self.words.push(option.to_string());
        self.words.push(quote(value));
        self
    }

    /// One more value of a list option (`--groups sg-0a sg-0b`).
    pub fn value(mut self, value: &str) -> Command {
        self.words.push(quote(value));
        self
    }

    /// `--option` alone (a boolean, or a list option whose values follow).
    pub fn flag(mut self, option: &'static str) -> Command {
        self.words.push(option.to_string());
        self
    }

    /// `--option "$NAME"`: a value the user supplies.
    pub fn var(mut self, option: &'static str, choice: Choice) -> Command {
        self.words.push(option.to_string());
        self.words.push(variable(&choice));
        self.choices.push(choice);
        self
    }

    /// `--option '<json>'`.
    pub fn json(mut self, option: &'static str, value: &Json) -> Command {
        self.words.push(option.to_string());
        self.words.push(value.word());
        value.choices(&mut self.choices);
        self
    }

    /// The user's values the command reads, in order.
    pub fn choices(&self) -> &[Choice] {
        &self.choices
    }

    pub fn line(&self) -> String {
        self.words.join(" ")
    }
}

/// The words a POSIX shell makes of a line that [`Command`] wrote, each variable replaced by `vars`' value for
/// it: bare words, single quotes, double quotes (where only `"$NAME"` expands), and backslash escapes outside
/// quotes. Anything else a shell would expand or run (`$` or a backtick outside quotes, `$(`, a glob, `;`, `|`,
/// `&`, `<`, `>`, `(`, `)`, `#`, `~`, a newline outside quotes), and a variable `vars` does not know, is an error:
/// a line holding one is not safe to paste. For tests, here and of the reports, which check what a fix says.
pub fn split(line: &str, vars: impl Fn(&str) -> Option<String>) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err(format!("unclosed ' in {line}")),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => w.push(c),
                            Some(c) => {
                                w.push('\\');
                                w.push(c)
                            }
                            None => return Err(format!("unclosed \" in {line}")),
                        },
                        Some('`') => return Err(format!("command substitution in {line}")),
                        Some('$') => {
                            let mut name = String::new();
                            while let Some(c) = chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_') {
                                name.push(c);
                            }
                            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                                return Err(format!("an expansion other than a variable in {line}"));
                            }
                            w.push_str(&vars(&name).ok_or_else(|| format!("unknown variable ${name} in {line}"))?);
                        }
                        Some(c) => w.push(c),
                        None => return Err(format!("unclosed \" in {line}")),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err(format!("trailing backslash in {line}")),
            },
            '$' | '`' | '*' | '?' | '[' | ';' | '|' | '&' | '<' | '>' | '(' | ')' | '#' | '~' | '\n' | '{' | '}'
            | '!' => return Err(format!("unquoted {c:?} in {line}")),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fix::{ADMIN_CIDR, PORT};

    /// [`split`], each variable left as written (`$NAME`), as if it held its own name.
    pub(crate) fn split(line: &str) -> Result<Vec<String>, String> {
        super::split(line, |name| Some(format!("${name}")))
    }

    pub(crate) const HOSTILE: &[&str] = &[
        "x'; rm -rf / #",
        "$(reboot)",
        "`reboot`",
        "a\"b\\c",
        "'",
        "''",
        "",
        " lead and trail ",
        "new\nline",
        "~root",
        "*",
        "-1",
        "${HOME}",
        "tab\there",
        "émoji ✓",
    ];

    #[test]
    fn every_word_comes_back_unchanged() {
        for word in HOSTILE.iter().chain(&["sg-0abc", "0.0.0.0/0", "arn:aws:iam::1:user/a+b=c,d.e@f_g-h"]) {
            assert_eq!(split(&quote(word)).unwrap(), vec![word.to_string()], "{word:?} quoted as {}", quote(word));
        }
        assert_eq!(quote("sg-0abc"), "sg-0abc", "plain words stay bare");
        assert_eq!(quote("x'; rm -rf / #"), r"'x'\''; rm -rf / #'");
    }

    #[test]
    fn json_values_splice_the_users_variables() {
        let value = Json::Array(vec![Json::Object(vec![
            ("IpProtocol", Json::str("tcp")),
            ("FromPort", Json::NumberVar(PORT)),
            ("IpRanges", Json::Array(vec![Json::Object(vec![("CidrIp", Json::StringVar(ADMIN_CIDR))])])),
            ("Description", Json::str("it's $(reboot)")),
        ])]);
        let word = value.word();
        assert_eq!(
            word,
            r#"'[{"IpProtocol":"tcp","FromPort":'"$PORT"',"IpRanges":[{"CidrIp":"'"$ADMIN_CIDR"'"}],"Description":"it'\''s $(reboot)"}]'"#
        );
        let split = split(&word).unwrap();
        assert_eq!(
            split,
            [
                r#"[{"IpProtocol":"tcp","FromPort":$PORT,"IpRanges":[{"CidrIp":"$ADMIN_CIDR"}],"Description":"it's $(reboot)"}]"#
            ]
        );
        let command = Command::aws("ec2", "x", Some("us-east-1")).json("--ip-permissions", &value);
        assert_eq!(command.choices(), [PORT, ADMIN_CIDR]);
    }

    #[test]
    fn the_splitter_refuses_what_a_shell_would_run() {
        for line in ["aws x $(reboot)", "aws x; reboot", "aws 'x", "aws `reboot`", "aws \"$(reboot)\""] {
            assert!(split(line).is_err(), "{line}");
        }
    }
}
