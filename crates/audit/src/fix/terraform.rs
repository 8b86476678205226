//! Terraform snippets, written through `hcl-edit`'s syntax tree: a string from AWS is a string expression,
//! which the crate writes with `"` and `\` escaped and `${` and `%{` doubled, so no text of the snapshot can
//! become an interpolation, a directive or HCL structure. Laid out as `terraform fmt` would: two spaces, `=`
//! aligned through a block.

use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::structure::{Attribute, Block, BlockLabel, Body};
use hcl_edit::{Decorate, Decorated, Ident};

use super::Choice;

/// An attribute's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    String(String),
    Number(i64),
    Bool(bool),
    /// `var.<name>`: what the user supplies.
    Var(Choice),
}

impl Value {
    pub fn str(text: &str) -> Value {
        Value::String(text.to_string())
    }

    fn expression(&self) -> Expression {
        match self {
            Value::String(s) => Expression::from(s.as_str()),
            Value::Number(n) => Expression::from(hcl_edit::Number::from(*n)),
            Value::Bool(b) => Expression::from(*b),
            Value::Var(c) => {
                let get = TraversalOperator::GetAttr(Decorated::new(Ident::new(c.terraform)));
                Traversal::new(Expression::Variable(Decorated::new(Ident::new("var"))), vec![Decorated::new(get)])
                    .into()
            }
        }
    }
}

/// `resource "<kind>" "<name>" { ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub kind: &'static str,
    /// Made of letters, digits and `_` by [`label`].
    pub name: String,
    pub attributes: Vec<(&'static str, Value)>,
}

impl Resource {
    pub fn new(kind: &'static str, name: &str) -> Resource {
        Resource { kind, name: label(name), attributes: Vec::new() }
    }

    pub fn set(mut self, key: &'static str, value: Value) -> Resource {
        self.attributes.push((key, value));
        self
    }
}

/// A resource name from AWS text (`sg-0abc` gives `sg_0abc`): Terraform names take letters, digits, `_` and
/// `-`, and start with a letter or `_`.
pub fn label(text: &str) -> String {
    let mut out: String = text.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// The snippet: a `variable` block for each user's value the resources read, then the resources.
pub fn file(resources: &[Resource]) -> String {
    let mut choices: Vec<Choice> = Vec::new();
    for r in resources {
        for (_, v) in &r.attributes {
            if let Value::Var(c) = v {
                if !choices.iter().any(|seen| seen.terraform == c.terraform) {
                    choices.push(*c);
                }
            }
        }
    }
    let mut body = Body::new();
    for c in &choices {
        let attributes = vec![("type", typed(c)), ("description", Expression::from(c.meaning))];
        body.push(block("variable", &[c.terraform], attributes, !body.is_empty()));
    }
    for r in resources {
        let attributes = r.attributes.iter().map(|(k, v)| (*k, v.expression())).collect();
        body.push(block("resource", &[r.kind, &r.name], attributes, !body.is_empty()));
    }
    body.to_string()
}

/// `string`, or `number` for a port.
fn typed(choice: &Choice) -> Expression {
    let kind = if choice.terraform == super::PORT.terraform { "number" } else { "string" };
    Expression::Variable(Decorated::new(Ident::new(kind)))
}

fn block(ident: &str, labels: &[&str], attributes: Vec<(&str, Expression)>, gap: bool) -> Block {
    let mut b = Block::new(Ident::new(ident));
    b.labels = labels.iter().map(|l| BlockLabel::from(*l)).collect();
    let width = attributes.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in attributes {
        let mut a = Attribute::new(Ident::new(key), value);
        a.decor_mut().set_prefix("  ");
        a.key.decor_mut().set_suffix(" ".repeat(width - key.len() + 1));
        b.body.push(a);
    }
    if gap {
        b.decor_mut().set_prefix("\n");
    }
    b
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fix::ADMIN_CIDR;

    /// A block parsed back: its type, its labels, its attributes (strings decoded, other values as written).
    pub(crate) type Parsed = (String, Vec<String>, Vec<(String, String)>);

    /// The blocks of a snippet, parsed back.
    pub(crate) fn parse(text: &str) -> Vec<Parsed> {
        let body: Body = text.parse().unwrap_or_else(|e| panic!("the snippet parses: {e}\n{text}"));
        body.blocks()
            .map(|b| {
                let labels = b.labels.iter().map(|l| l.as_str().to_string()).collect();
                let attrs = b
                    .body
                    .attributes()
                    .map(|a| {
                        let value = match &a.value {
                            Expression::String(s) => s.value().to_string(),
                            other => other.to_string().trim().to_string(),
                        };
                        (a.key.as_str().to_string(), value)
                    })
                    .collect();
                (b.ident.as_str().to_string(), labels, attrs)
            })
            .collect()
    }

    #[test]
    fn hostile_text_stays_a_string() {
        let hostile = "x\"} ${file(\"/etc/passwd\")} %{if true}\\n'; rm -rf / # $(reboot)";
        let text = file(&[Resource::new("aws_vpc_security_group_ingress_rule", "sg-0a\"}")
            .set("description", Value::str(hostile))
            .set("from_port", Value::Number(22))
            .set("cidr_ipv4", Value::Var(ADMIN_CIDR))]);
        let blocks = parse(&text);
        assert_eq!(blocks.len(), 2, "{text}");
        assert_eq!(blocks[0].0, "variable");
        assert_eq!(blocks[0].1, ["admin_cidr"]);
        let (kind, labels, attrs) = &blocks[1];
        assert_eq!(
            (kind.as_str(), labels.as_slice()),
            ("resource", &["aws_vpc_security_group_ingress_rule".to_string(), "sg_0a__".to_string()][..])
        );
        assert_eq!(attrs[0], ("description".to_string(), hostile.to_string()), "{text}");
        assert_eq!(attrs[1], ("from_port".to_string(), "22".to_string()));
        assert_eq!(attrs[2], ("cidr_ipv4".to_string(), "var.admin_cidr".to_string()));
        assert!(text.contains("$${file") && text.contains("%%{if"), "{text}");
        assert!(text.contains("  from_port   = 22\n"), "aligned:\n{text}");
    }
}
