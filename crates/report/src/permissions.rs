//! The IAM policies sgaudit needs, written from plain data about each use (its statement id, what it is for,
//! the account it belongs in, whether it writes, its actions): the policy document (`sgaudit permissions
//! --format json`), a summary for people (`text`), and two deployable forms of the roles every member account
//! needs — a CloudFormation template for a service-managed StackSet, and a Terraform module. Their read-only
//! policy is split into managed policies that each fit IAM's size limit; the cleanup role's writes are scoped
//! to security groups that do not carry a protecting tag.
//!
//! The JSON and the template are serialised with serde_json, the module with `hcl-edit`: no text is pasted
//! together by hand, so an action, a description or a tag value can never break the syntax.

use std::fmt::Write as _;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// IAM's limit for a customer managed policy, in characters without whitespace.
pub const MANAGED_POLICY_LIMIT: usize = 6_144;
/// IAM's limit for all the inline policies of one role together, in characters without whitespace.
pub const ROLE_INLINE_LIMIT: usize = 10_240;

/// One use of sgaudit, as its part of a policy needs it: plain data, so that this crate knows nothing of how
/// the actions were gathered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsePolicy {
    /// As `--for` names it: `scan`, `checks:iam`, `org`.
    pub id: String,
    /// The statement id: `SgauditChecksIam`.
    pub sid: String,
    /// What it is for, in a few words.
    pub title: String,
    /// The account its statement belongs in.
    pub home: String,
    /// Whether its actions change anything in AWS.
    pub writes: bool,
    /// `service:Action`, sorted, each once.
    pub actions: Vec<String>,
}

/// What the roles of a member account hold: the template and the module deploy these.
#[derive(Debug, Clone, Default)]
pub struct Deployment {
    /// The audit role's policy: the read-only uses of a scan.
    pub audit: Vec<UsePolicy>,
    /// `scan --push-security-hub`: attached to the audit role when the deployer asks for it.
    pub security_hub: Option<UsePolicy>,
    /// The uses of the optional cleanup role: `cleanup`, `restore`.
    pub cleanup: Vec<UsePolicy>,
    /// Tags that protect a group from the cleanup role whatever the deployer chooses (sgaudit's own
    /// `DoNotDelete`), each with the values (compared without case) that protect.
    pub protected_tags: Vec<ProtectedTag>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedTag {
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PermissionsError {
    #[error("the action {0} alone is longer than IAM's {MANAGED_POLICY_LIMIT} characters for a managed policy")]
    ActionTooLarge(String),
    #[error(
        "{action} ({sid}) is neither a read nor an EC2 write the cleanup role knows how to scope to unprotected \
         groups: say how in report::permissions::cleanup_statements"
    )]
    UnscopedWrite { sid: String, action: String },
    #[error("the template has no audit role: choose at least one read-only use (scan or checks:FAMILY)")]
    NoAuditRole,
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// One statement of a policy document, its keys in the order IAM's documents use.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    pub sid: String,
    pub effect: &'static str,
    pub action: Vec<String>,
    pub resource: &'static str,
}

impl Statement {
    /// The statement of a use: its actions, on every resource (sgaudit reads resources it cannot name ahead).
    pub fn of(u: &UsePolicy) -> Statement {
        Statement { sid: u.sid.clone(), effect: "Allow", action: u.actions.clone(), resource: "*" }
    }
}

/// An IAM policy document.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Document {
    pub version: &'static str,
    pub statement: Vec<Statement>,
}

impl Document {
    pub fn new(statement: Vec<Statement>) -> Document {
        Document { version: "2012-10-17", statement }
    }

    /// One statement per use, in the order given.
    pub fn of(uses: &[UsePolicy]) -> Document {
        Document::new(uses.iter().map(Statement::of).collect())
    }

    /// Its size as IAM counts it against its limits: characters, whitespace not counted.
    pub fn size(&self) -> usize {
        size_of(self)
    }

    /// The document as `sgaudit permissions` prints it (two-space indentation).
    pub fn to_pretty_json(&self) -> Result<String, PermissionsError> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}

/// IAM's size of any document: its JSON without whitespace, in characters.
fn size_of<T: Serialize>(value: &T) -> usize {
    serde_json::to_string(value).map(|s| s.chars().filter(|c| !c.is_whitespace()).count()).unwrap_or(usize::MAX)
}

/// One line for stderr when a policy is too large to be one managed policy, saying what to do instead.
pub fn size_note(size: usize) -> Option<String> {
    if size <= MANAGED_POLICY_LIMIT {
        return None;
    }
    let split = format!(
        "--format cloudformation|terraform splits it into managed policies of at most {} each",
        thousands(MANAGED_POLICY_LIMIT)
    );
    Some(if size <= ROLE_INLINE_LIMIT {
        format!(
            "note: this policy is {} characters without whitespace, over IAM's {} for a managed policy; it fits a \
             role's inline policies ({}), or {split}",
            thousands(size),
            thousands(MANAGED_POLICY_LIMIT),
            thousands(ROLE_INLINE_LIMIT)
        )
    } else {
        format!(
            "note: this policy is {} characters without whitespace, over IAM's {} for a managed policy and {} for \
             a role's inline policies; {split}",
            thousands(size),
            thousands(MANAGED_POLICY_LIMIT),
            thousands(ROLE_INLINE_LIMIT)
        )
    })
}

/// For people: per use its statement id, what it is for, where it belongs, whether it writes, and its actions;
/// then the size of the whole as one policy.
pub fn text(uses: &[UsePolicy]) -> String {
    let mut out = String::new();
    for u in uses {
        let _ = writeln!(out, "{} (--for {}): {}", u.sid, u.id, u.title);
        let _ = writeln!(out, "  belongs in: {}", u.home);
        let kind = if u.writes { "writes" } else { "read-only" };
        let _ = writeln!(out, "  {kind}, {} action{}:", u.actions.len(), plural(u.actions.len()));
        for a in &u.actions {
            let _ = writeln!(out, "    {a}");
        }
        out.push('\n');
    }
    let mut all: Vec<&str> = uses.iter().flat_map(|u| u.actions.iter().map(String::as_str)).collect();
    all.sort_unstable();
    all.dedup();
    let size = Document::of(uses).size();
    let fits = if size <= MANAGED_POLICY_LIMIT {
        "fits a managed policy"
    } else if size <= ROLE_INLINE_LIMIT {
        "over a managed policy's limit, fits a role's inline policies"
    } else {
        "over a managed policy's and a role's inline limits"
    };
    let _ = writeln!(
        out,
        "{} statement{}, {} distinct action{}: {} characters without whitespace as one policy ({fits}; IAM's \
         limits are {} for a managed policy, {} for a role's inline policies)",
        uses.len(),
        plural(uses.len()),
        all.len(),
        plural(all.len()),
        thousands(size),
        thousands(MANAGED_POLICY_LIMIT),
        thousands(ROLE_INLINE_LIMIT)
    );
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `9902` → `9,902`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Splits statements into policy documents of at most `limit` characters each (IAM's count): whole statements
/// where they fit, a statement too large for one document into parts of its sorted actions (`…Part1`,
/// `…Part2`), each part filled as far as it goes; then each piece, in order, into the first document with room
/// (first fit). The same statements always give the same documents.
pub fn split(statements: &[Statement], limit: usize) -> Result<Vec<Document>, PermissionsError> {
    let fits = |statement: &[Statement]| Document::new(statement.to_vec()).size() <= limit;
    let mut pieces = Vec::new();
    for s in statements {
        if fits(std::slice::from_ref(s)) {
            pieces.push(s.clone());
            continue;
        }
        let mut actions = s.action.clone();
        actions.sort();
        actions.dedup();
        let part = |n: usize, action: Vec<String>| Statement { sid: format!("{}Part{n}", s.sid), action, ..s.clone() };
        // Each part is measured with the number it will have, so the documents hold what was measured.
        let mut parts: Vec<Vec<String>> = Vec::new();
        let mut current: Vec<String> = Vec::new();
        for a in actions {
            let mut with = current.clone();
            with.push(a.clone());
            if fits(&[part(parts.len() + 1, with.clone())]) {
                current = with;
                continue;
            }
            if current.is_empty() {
                return Err(PermissionsError::ActionTooLarge(a));
            }
            parts.push(std::mem::take(&mut current));
            if !fits(&[part(parts.len() + 1, vec![a.clone()])]) {
                return Err(PermissionsError::ActionTooLarge(a));
            }
            current.push(a);
        }
        if !current.is_empty() {
            parts.push(current);
        }
        pieces.extend(parts.into_iter().enumerate().map(|(i, actions)| part(i + 1, actions)));
    }
    let mut documents: Vec<Vec<Statement>> = Vec::new();
    for piece in pieces {
        let room = documents.iter_mut().find(|d| {
            let mut with = d.to_vec();
            with.push(piece.clone());
            fits(&with)
        });
        match room {
            Some(d) => d.push(piece),
            None => documents.push(vec![piece]),
        }
    }
    Ok(documents.into_iter().map(Document::new).collect())
}

// ----- What the member roles hold, before either deployable form is written ---------------------------------

/// A resource of a scoped statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arn {
    /// Every resource: the reads.
    Any,
    /// Every security group of the account, in every region.
    SecurityGroup,
    /// Every VPC of the account: `CreateSecurityGroup` names the VPC it creates the group in.
    Vpc,
    /// Security Hub's product of the account itself, which `BatchImportFindings` imports into.
    SecurityHubProduct,
}

/// Which tags a condition compares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TagKey {
    /// The deployer's protecting tag (`ProtectTagKey` = `ProtectTagValue`).
    Protect,
    /// A tag protected whatever the deployer chooses, with its values.
    Fixed(ProtectedTag),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TagOn {
    /// `ec2:ResourceTag/KEY`: the tags the resource already has.
    Resource,
    /// `aws:RequestTag/KEY`: the tags the request puts on.
    Request,
}

/// `StringNotEqualsIgnoreCase`: the tag is absent, or its value is none of the protecting ones. Case is
/// ignored because sgaudit's own `--protect-tag KEY=VALUE` ignores it: IAM guards what the plan keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NotTagged {
    on: TagOn,
    key: TagKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Scoped {
    sid: String,
    actions: Vec<String>,
    resources: Vec<Arn>,
    unless: Vec<NotTagged>,
}

const NOT_TAGGED: &str = "StringNotEqualsIgnoreCase";

/// Actions that change a group's rules, or delete it: allowed on groups without a protecting tag.
const GROUP_CHANGES: [&str; 5] = [
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:DeleteSecurityGroup",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupIngress",
];
/// `restore`'s creation: a group is created (with its tags in the same call) in a VPC. What protects a group
/// is a tag the request would put on it (`aws:RequestTag`): the role never makes a group that looks protected.
const CREATE_GROUP: &str = "ec2:CreateSecurityGroup";
/// Tagging, at creation (`ec2:CreateAction`) and for the preflight's dry run on an existing group: never a
/// protected group, never with a protecting tag.
const CREATE_TAGS: &str = "ec2:CreateTags";

/// A read, by IAM's naming: no change in AWS, so no resource to scope it to.
fn is_read(action: &str) -> bool {
    let verb = action.split_once(':').map_or(action, |(_, v)| v);
    ["Describe", "Get", "List", "Lookup", "BatchGet"].iter().any(|p| verb.starts_with(p))
}

/// The cleanup role's statements: its reads on everything, and each EC2 write on unprotected groups only.
fn cleanup_statements(d: &Deployment) -> Result<Vec<Scoped>, PermissionsError> {
    let mut reads = Vec::new();
    let mut changes = Vec::new();
    let mut create = Vec::new();
    let mut tags = Vec::new();
    for u in &d.cleanup {
        for a in &u.actions {
            let bucket = match a.as_str() {
                a if GROUP_CHANGES.contains(&a) => &mut changes,
                CREATE_GROUP => &mut create,
                CREATE_TAGS => &mut tags,
                a if is_read(a) => &mut reads,
                _ => return Err(PermissionsError::UnscopedWrite { sid: u.sid.clone(), action: a.clone() }),
            };
            bucket.push(a.clone());
        }
    }
    let resource_protected = || {
        let mut unless = vec![NotTagged { on: TagOn::Resource, key: TagKey::Protect }];
        unless
            .extend(d.protected_tags.iter().map(|t| NotTagged { on: TagOn::Resource, key: TagKey::Fixed(t.clone()) }));
        unless
    };
    let mut statements = Vec::new();
    let mut push = |sid: &str, mut actions: Vec<String>, resources: Vec<Arn>, unless: Vec<NotTagged>| {
        actions.sort();
        actions.dedup();
        if !actions.is_empty() {
            statements.push(Scoped { sid: sid.to_string(), actions, resources, unless });
        }
    };
    push("SgauditCleanupRead", reads, vec![Arn::Any], Vec::new());
    push("SgauditCleanupUnprotectedGroups", changes, vec![Arn::SecurityGroup], resource_protected());
    push(
        "SgauditRestoreCreateGroups",
        create,
        vec![Arn::SecurityGroup, Arn::Vpc],
        vec![NotTagged { on: TagOn::Request, key: TagKey::Protect }],
    );
    let mut tag_unless = resource_protected();
    tag_unless.push(NotTagged { on: TagOn::Request, key: TagKey::Protect });
    push("SgauditRestoreTagGroups", tags, vec![Arn::SecurityGroup], tag_unless);
    Ok(statements)
}

/// The audit role's read-only policy, split into managed policies within IAM's limit.
fn audit_documents(d: &Deployment) -> Result<Vec<Document>, PermissionsError> {
    if d.audit.is_empty() {
        return Err(PermissionsError::NoAuditRole);
    }
    split(&Document::of(&d.audit).statement, MANAGED_POLICY_LIMIT)
}

/// The Security Hub statement: `BatchImportFindings` into the account's own product only.
fn security_hub_statement(u: &UsePolicy) -> Scoped {
    Scoped { sid: u.sid.clone(), actions: u.actions.clone(), resources: vec![Arn::SecurityHubProduct], unless: vec![] }
}

const DESCRIPTION_AUDIT_ROLE: &str = "sgaudit's read-only audit role: sgaudit scan --org --role-name assumes it";
const DESCRIPTION_CLEANUP_ROLE: &str =
    "sgaudit's cleanup role: revokes rules of, deletes and recreates security groups without a protecting tag";

// ----- CloudFormation ------------------------------------------------------------------------------------------

/// A JSON value whose objects keep the order their keys were given in, so that the template reads like one
/// written by hand (`Type` before `Properties`, `Version` before `Statement`); serde_json writes it.
#[derive(Debug, Clone, PartialEq)]
enum J {
    S(String),
    A(Vec<J>),
    O(Vec<(String, J)>),
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            J::S(s) => serializer.serialize_str(s),
            J::A(items) => items.serialize(serializer),
            J::O(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

fn s(text: impl Into<String>) -> J {
    J::S(text.into())
}

fn o<const N: usize>(entries: [(&str, J); N]) -> J {
    J::O(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn strings(items: &[String]) -> J {
    J::A(items.iter().map(|a| s(a.as_str())).collect())
}

fn cfn_ref(name: &str) -> J {
    o([("Ref", s(name))])
}

fn cfn_sub(template: impl Into<String>) -> J {
    o([("Fn::Sub", s(template))])
}

fn cfn_document(d: &Document) -> J {
    o([
        ("Version", s(d.version)),
        (
            "Statement",
            J::A(
                d.statement
                    .iter()
                    .map(|st| {
                        o([
                            ("Sid", s(st.sid.as_str())),
                            ("Effect", s(st.effect)),
                            ("Action", strings(&st.action)),
                            ("Resource", s(st.resource)),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

/// The parts of a scoped statement that name things the template only knows once deployed, as `Fn::Sub`
/// placeholders.
fn cfn_arn(arn: Arn) -> &'static str {
    match arn {
        Arn::Any => "*",
        Arn::SecurityGroup => "arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:security-group/*",
        Arn::Vpc => "arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:vpc/*",
        Arn::SecurityHubProduct => {
            "arn:${AWS::Partition}:securityhub:*:${AWS::AccountId}:product/${AWS::AccountId}/default"
        }
    }
}

fn condition_key(on: &TagOn, key: &str) -> String {
    match on {
        TagOn::Resource => format!("ec2:ResourceTag/{key}"),
        TagOn::Request => format!("aws:RequestTag/{key}"),
    }
}

/// A scoped statement as plain JSON with `${…}` placeholders for `Fn::Sub`: a condition key names the
/// deployer's tag, and CloudFormation cannot compute an object's key, so the whole document is substituted.
fn cfn_scoped(st: &Scoped) -> J {
    let resources: Vec<String> = st.resources.iter().map(|a| cfn_arn(*a).to_string()).collect();
    let mut entries = vec![
        ("Sid".to_string(), s(st.sid.as_str())),
        ("Effect".to_string(), s("Allow")),
        ("Action".to_string(), strings(&st.actions)),
        ("Resource".to_string(), if resources.len() == 1 { s(resources[0].as_str()) } else { strings(&resources) }),
    ];
    if !st.unless.is_empty() {
        let keys = st
            .unless
            .iter()
            .map(|n| match &n.key {
                TagKey::Protect => (condition_key(&n.on, "${ProtectTagKey}"), s("${ProtectTagValue}")),
                TagKey::Fixed(t) => (condition_key(&n.on, &t.key), strings(&t.values)),
            })
            .collect();
        entries.push(("Condition".to_string(), J::O(vec![(NOT_TAGGED.to_string(), J::O(keys))])));
    }
    J::O(entries)
}

/// The CloudFormation template (JSON) of a service-managed StackSet that creates, in every member account,
/// the audit role with its read-only policy (managed policies within IAM's limit) and, when asked, the
/// Security Hub push and the cleanup role.
pub fn cloudformation(d: &Deployment) -> Result<String, PermissionsError> {
    let audit = audit_documents(d)?;
    let cleanup = cleanup_statements(d)?;
    let protected: Vec<&str> = d.protected_tags.iter().map(|t| t.key.as_str()).collect();

    let mut parameters = vec![
        (
            "RoleName",
            o([
                ("Type", s("String")),
                ("Default", s("sgaudit-audit")),
                ("AllowedPattern", s("[\\w+=,.@-]{1,64}")),
                ("Description", s("Name of the audit role: what sgaudit scan --org --role-name is given")),
            ]),
        ),
        (
            "TrustedPrincipalArn",
            o([
                ("Type", s("String")),
                ("AllowedPattern", s("arn:aws[a-z-]*:iam::\\d{12}:(root|role/[\\w+=,.@/-]+|user/[\\w+=,.@/-]+)")),
                (
                    "Description",
                    s("ARN of what runs sgaudit and may assume the roles: a role, a user, or an account's root \
                       (arn:aws:iam::111122223333:root, any identity of that account its policies allow)"),
                ),
            ]),
        ),
        (
            "ExternalId",
            o([
                ("Type", s("String")),
                ("Default", s("")),
                ("AllowedPattern", s("[\\w+=,.@:/-]{0,1224}")),
                ("Description", s("If set, the roles may be assumed only with this external id (--external-id)")),
            ]),
        ),
    ];
    if d.security_hub.is_some() {
        parameters.push((
            "AllowSecurityHubPush",
            o([
                ("Type", s("String")),
                ("Default", s("false")),
                ("AllowedValues", J::A(vec![s("false"), s("true")])),
                ("Description", s("true: the audit role may also import findings (scan --push-security-hub)")),
            ]),
        ));
    }
    if !cleanup.is_empty() {
        // The key may not be one of the tags that always protect: a condition names each key once.
        let not_fixed: String = protected.iter().map(|k| format!("(?!{}$)", any_case(k))).collect();
        parameters.extend([
            (
                "CreateCleanupRole",
                o([
                    ("Type", s("String")),
                    ("Default", s("false")),
                    ("AllowedValues", J::A(vec![s("false"), s("true")])),
                    ("Description", s("true: also create the cleanup role (sgaudit cleanup --apply, sgaudit restore)")),
                ]),
            ),
            (
                "CleanupRoleName",
                o([
                    ("Type", s("String")),
                    ("Default", s("sgaudit-cleanup")),
                    ("AllowedPattern", s("[\\w+=,.@-]{1,64}")),
                    ("Description", s("Name of the cleanup role")),
                ]),
            ),
            (
                "ProtectTagKey",
                o([
                    ("Type", s("String")),
                    ("Default", s("Environment")),
                    ("AllowedPattern", s(format!("^{not_fixed}[\\w .:/=+@-]{{1,128}}$"))),
                    (
                        "Description",
                        s(format!(
                            "The cleanup role changes no group with this tag set to ProtectTagValue (any case); {} \
                             always protects",
                            protected.join(", ")
                        )),
                    ),
                ]),
            ),
            (
                "ProtectTagValue",
                o([
                    ("Type", s("String")),
                    ("Default", s("Production")),
                    ("AllowedPattern", s("[\\w .:/=+@-]{0,256}")),
                    ("Description", s("The value of ProtectTagKey that protects a group")),
                ]),
            ),
        ]);
    }

    let mut conditions = vec![("WithExternalId", o([("Fn::Not", J::A(vec![cfn_equals("ExternalId", "")]))]))];
    if d.security_hub.is_some() {
        conditions.push(("WithSecurityHubPush", cfn_equals("AllowSecurityHubPush", "true")));
    }
    if !cleanup.is_empty() {
        conditions.push(("WithCleanupRole", cfn_equals("CreateCleanupRole", "true")));
    }

    let mut resources: Vec<(String, J)> = vec![(
        "AuditRole".into(),
        o([
            ("Type", s("AWS::IAM::Role")),
            (
                "Properties",
                o([
                    ("RoleName", cfn_ref("RoleName")),
                    ("Description", s(DESCRIPTION_AUDIT_ROLE)),
                    ("AssumeRolePolicyDocument", cfn_trust()),
                ]),
            ),
        ]),
    )];
    let parts = audit.len();
    // The cleanup role reads what the audit role reads: `sgaudit cleanup` scans (the groups family) before it
    // plans, unless given a snapshot, and reads every source of a region again before it deletes there.
    let audit_roles = if cleanup.is_empty() {
        J::A(vec![cfn_ref("AuditRole")])
    } else {
        J::A(vec![
            cfn_ref("AuditRole"),
            o([("Fn::If", J::A(vec![s("WithCleanupRole"), cfn_ref("CleanupRole"), cfn_ref("AWS::NoValue")]))]),
        ])
    };
    for (i, doc) in audit.iter().enumerate() {
        resources.push((
            format!("AuditPolicy{}", i + 1),
            o([
                ("Type", s("AWS::IAM::ManagedPolicy")),
                (
                    "Properties",
                    o([
                        ("ManagedPolicyName", cfn_sub(format!("${{RoleName}}-scan-{}", i + 1))),
                        ("Description", s(format!("sgaudit scan, read-only (part {} of {parts})", i + 1))),
                        ("PolicyDocument", cfn_document(doc)),
                        ("Roles", audit_roles.clone()),
                    ]),
                ),
            ]),
        ));
    }
    if let Some(u) = &d.security_hub {
        let doc = o([("Version", s("2012-10-17")), ("Statement", J::A(vec![cfn_scoped(&security_hub_statement(u))]))]);
        resources.push((
            "SecurityHubPolicy".into(),
            o([
                ("Type", s("AWS::IAM::ManagedPolicy")),
                ("Condition", s("WithSecurityHubPush")),
                (
                    "Properties",
                    o([
                        ("ManagedPolicyName", cfn_sub("${RoleName}-security-hub")),
                        ("Description", s(u.title.as_str())),
                        ("PolicyDocument", cfn_sub(serde_json::to_string_pretty(&doc)?)),
                        ("Roles", J::A(vec![cfn_ref("AuditRole")])),
                    ]),
                ),
            ]),
        ));
    }
    if !cleanup.is_empty() {
        let doc = o([("Version", s("2012-10-17")), ("Statement", J::A(cleanup.iter().map(cfn_scoped).collect()))]);
        resources.extend([
            (
                "CleanupRole".to_string(),
                o([
                    ("Type", s("AWS::IAM::Role")),
                    ("Condition", s("WithCleanupRole")),
                    (
                        "Properties",
                        o([
                            ("RoleName", cfn_ref("CleanupRoleName")),
                            ("Description", s(DESCRIPTION_CLEANUP_ROLE)),
                            ("AssumeRolePolicyDocument", cfn_trust()),
                        ]),
                    ),
                ]),
            ),
            (
                "CleanupPolicy".to_string(),
                o([
                    ("Type", s("AWS::IAM::ManagedPolicy")),
                    ("Condition", s("WithCleanupRole")),
                    (
                        "Properties",
                        o([
                            ("ManagedPolicyName", cfn_sub("${CleanupRoleName}-cleanup")),
                            ("Description", s("sgaudit cleanup and restore: reads, and writes on unprotected groups")),
                            ("PolicyDocument", cfn_sub(serde_json::to_string_pretty(&doc)?)),
                            ("Roles", J::A(vec![cfn_ref("CleanupRole")])),
                        ]),
                    ),
                ]),
            ),
        ]);
    }

    let mut outputs = vec![(
        "AuditRoleArn",
        o([
            ("Description", s("The audit role: sgaudit scan --org --role-name <its name>")),
            ("Value", o([("Fn::GetAtt", J::A(vec![s("AuditRole"), s("Arn")]))])),
        ]),
    )];
    if !cleanup.is_empty() {
        outputs.push((
            "CleanupRoleArn",
            o([
                ("Condition", s("WithCleanupRole")),
                ("Description", s("The cleanup role: sgaudit cleanup --org --role-name <its name>")),
                ("Value", o([("Fn::GetAtt", J::A(vec![s("CleanupRole"), s("Arn")]))])),
            ]),
        ));
    }

    let template = o([
        ("AWSTemplateFormatVersion", s("2010-09-09")),
        (
            "Description",
            s(format!(
                "sgaudit's roles in a member account: the read-only audit role that sgaudit scan --org --role-name \
                 assumes ({parts} managed polic{}){}. Deploy as a service-managed StackSet from the management \
                 account (or a CloudFormation delegated administrator) to the root OU, in one region: IAM is \
                 global. StackSets skip the management account: create a stack of this template there if sgaudit \
                 reaches it through the role. Written by sgaudit permissions --format cloudformation.",
                if parts == 1 { "y" } else { "ies" },
                if cleanup.is_empty() { "" } else { ", and optionally the cleanup role" }
            )),
        ),
        ("Parameters", J::O(parameters.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ("Conditions", J::O(conditions.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ("Resources", J::O(resources)),
        ("Outputs", J::O(outputs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
    ]);
    let mut text = serde_json::to_string_pretty(&template)?;
    text.push('\n');
    Ok(text)
}

fn cfn_equals(parameter: &str, value: &str) -> J {
    o([("Fn::Equals", J::A(vec![cfn_ref(parameter), s(value)]))])
}

/// Trust in what runs sgaudit, with the external id when one is set.
fn cfn_trust() -> J {
    o([
        ("Version", s("2012-10-17")),
        (
            "Statement",
            J::A(vec![o([
                ("Sid", s("TrustWhatRunsSgaudit")),
                ("Effect", s("Allow")),
                ("Principal", o([("AWS", cfn_ref("TrustedPrincipalArn"))])),
                ("Action", s("sts:AssumeRole")),
                (
                    "Condition",
                    o([(
                        "Fn::If",
                        J::A(vec![
                            s("WithExternalId"),
                            o([("StringEquals", o([("sts:ExternalId", cfn_ref("ExternalId"))]))]),
                            cfn_ref("AWS::NoValue"),
                        ]),
                    )]),
                ),
            ])]),
        ),
    ])
}

/// A pattern for `key` in any case: `Do` → `[Dd][Oo]` (CloudFormation's patterns take no flags).
fn any_case(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
            } else {
                regex_escape(c)
            }
        })
        .collect()
}

fn regex_escape(c: char) -> String {
    if "\\.+*?()|[]{}^$-/".contains(c) {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

// ----- Terraform -----------------------------------------------------------------------------------------------

mod hcl {
    //! Small builders over `hcl-edit`'s syntax tree, and the layout `terraform fmt` gives: two spaces per level,
    //! arrays of more than one item one item a line, `=` aligned through each run of one-line attributes.

    use hcl_edit::expr::{
        Array, BinaryOp, BinaryOperator, Conditional, Expression, FuncArgs, FuncCall, Object, ObjectKey, ObjectValue,
        ObjectValueTerminator, Traversal, TraversalOperator,
    };
    use hcl_edit::structure::{Attribute, Block, BlockLabel, Body, Structure};
    use hcl_edit::template::{Element, Interpolation, StringTemplate};
    use hcl_edit::{Decor, Decorate, Decorated, Ident};

    pub enum Item {
        Attr(&'static str, Expression),
        Block(Block),
        /// A blank line before what follows.
        Gap,
    }

    pub fn attr(key: &'static str, value: impl Into<Expression>) -> Item {
        Item::Attr(key, value.into())
    }

    pub fn block(ident: &str, labels: &[&str], items: Vec<Item>) -> Item {
        let mut b = Block::new(Ident::new(ident));
        b.labels = labels.iter().map(|l| BlockLabel::from(*l)).collect();
        b.body = body(items);
        Item::Block(b)
    }

    fn body(items: Vec<Item>) -> Body {
        let mut body = Body::new();
        let mut gap = false;
        for item in items {
            match item {
                Item::Gap => gap = true,
                Item::Attr(k, v) => {
                    let mut a = Attribute::new(Ident::new(k), v);
                    if gap {
                        a.decor_mut().set_prefix("\n");
                    }
                    body.push(a);
                    gap = false;
                }
                Item::Block(mut b) => {
                    if gap {
                        b.decor_mut().set_prefix("\n");
                    }
                    body.push(b);
                    gap = false;
                }
            }
        }
        body.set_prefer_oneline(body.is_empty());
        body
    }

    /// The file: top-level blocks separated by blank lines, `comment` (`# ` lines) above them, laid out.
    pub fn file(comment: &[&str], blocks: Vec<Item>) -> String {
        let mut items = Vec::new();
        for b in blocks {
            if !items.is_empty() {
                items.push(Item::Gap);
            }
            items.push(b);
        }
        let mut body = body(items);
        layout(&mut body, 0);
        let head: String =
            comment.iter().map(|l| if l.is_empty() { "#\n".to_string() } else { format!("# {l}\n") }).collect();
        if let Some(first) = body.get_mut(0) {
            let prefix = format!("{head}\n");
            first.decor_mut().set_prefix(prefix);
        }
        body.to_string()
    }

    fn indent(depth: usize) -> String {
        "  ".repeat(depth)
    }

    /// Whether an expression is written over several lines: then its `=` is not aligned with its neighbours'
    /// (`terraform fmt` aligns only attributes whose value closes on their line).
    fn multiline(e: &Expression) -> bool {
        match e {
            Expression::Array(a) => a.len() > 1,
            Expression::Object(o) => !o.is_empty(),
            _ => false,
        }
    }

    fn layout(body: &mut Body, depth: usize) {
        // Indentation, and the items of arrays and objects one a line.
        for i in 0..body.len() {
            let Some(structure) = body.get_mut(i) else { continue };
            let blank = structure.decor().prefix().is_some_and(|p| p.starts_with('\n'));
            let prefix = format!("{}{}", if blank { "\n" } else { "" }, indent(depth));
            structure.decor_mut().set_prefix(prefix);
            match structure {
                Structure::Attribute(a) => layout_expr(&mut a.value, depth),
                Structure::Block(b) => {
                    layout(&mut b.body, depth + 1);
                    if !b.body.is_empty() {
                        b.body.decor_mut().set_suffix(indent(depth));
                    }
                }
            }
        }
        // `=` aligned through each run of one-line attributes not broken by a blank line or a block.
        let mut run: Vec<usize> = Vec::new();
        let len = body.len();
        for i in 0..=len {
            let joins = body.get(i).and_then(Structure::as_attribute).is_some_and(|a| {
                !multiline(&a.value) && (run.is_empty() || !a.decor().prefix().is_some_and(|p| p.starts_with('\n')))
            });
            if joins {
                run.push(i);
                continue;
            }
            align(body, &run);
            run.clear();
            if body.get(i).and_then(Structure::as_attribute).is_some_and(|a| !multiline(&a.value)) {
                run.push(i);
            }
        }
    }

    fn align(body: &mut Body, run: &[usize]) {
        let width = run.iter().filter_map(|i| body.get(*i)?.as_attribute()).map(|a| a.key.as_str().len()).max();
        let Some(width) = width else { return };
        for i in run {
            if let Some(Structure::Attribute(a)) = body.get_mut(*i) {
                let pad = " ".repeat(width - a.key.as_str().len() + 1);
                a.key.decor_mut().set_suffix(pad);
            }
        }
    }

    fn layout_expr(e: &mut Expression, depth: usize) {
        match e {
            Expression::Array(a) if a.len() > 1 => {
                for item in a.iter_mut() {
                    layout_expr(item, depth + 1);
                    item.decor_mut().set_prefix(format!("\n{}", indent(depth + 1)));
                }
                a.set_trailing_comma(true);
                a.set_trailing(format!("\n{}", indent(depth)));
            }
            Expression::Object(o) if !o.is_empty() => {
                let width = o.iter().map(|(k, _)| key_len(k)).max().unwrap_or(0);
                let mut first = true;
                for (mut k, v) in o.iter_mut() {
                    let len = key_len(k.get());
                    let lead = if first { "\n" } else { "" };
                    first = false;
                    *k.decor_mut() = Decor::new(format!("{lead}{}", indent(depth + 1)), " ".repeat(width - len + 1));
                    v.set_terminator(ObjectValueTerminator::Newline);
                    layout_expr(v.expr_mut(), depth + 1);
                }
                o.set_trailing(indent(depth));
            }
            _ => {}
        }
    }

    fn key_len(k: &ObjectKey) -> usize {
        match k {
            ObjectKey::Ident(i) => i.as_str().len(),
            ObjectKey::Expression(e) => e.to_string().len(),
        }
    }

    /// `a.b.c`.
    pub fn path(parts: &[&str]) -> Expression {
        let (root, rest) = parts.split_first().expect("a path names something");
        let ops = rest.iter().map(|p| Decorated::new(TraversalOperator::GetAttr(Decorated::new(Ident::new(*p)))));
        Traversal::new(Expression::Variable(Decorated::new(Ident::new(*root))), ops.collect()).into()
    }

    /// `a.b[0].c`, `a.b[*].c`.
    pub fn indexed(resource: &[&str; 2], index: Option<u64>, attr: &str) -> Expression {
        let op = match index {
            Some(n) => TraversalOperator::Index(Expression::from(hcl_edit::Number::from(n))),
            None => TraversalOperator::FullSplat(hcl_edit::expr::Splat.into()),
        };
        let ops = vec![
            Decorated::new(TraversalOperator::GetAttr(Decorated::new(Ident::new(resource[1])))),
            Decorated::new(op),
            Decorated::new(TraversalOperator::GetAttr(Decorated::new(Ident::new(attr)))),
        ];
        Traversal::new(Expression::Variable(Decorated::new(Ident::new(resource[0]))), ops).into()
    }

    /// A quoted string with interpolations: literal text and expressions, in order.
    pub enum Part {
        Text(String),
        Expr(Expression),
    }

    pub fn template(parts: Vec<Part>) -> Expression {
        let elements: Vec<Element> = parts
            .into_iter()
            .map(|p| match p {
                Part::Text(t) => Element::from(t),
                Part::Expr(mut e) => {
                    // `${var.x}`, as `terraform fmt` writes it, not the crate's default `${ var.x }`.
                    *e.decor_mut() = Decor::new("", "");
                    Element::from(Interpolation::new(e))
                }
            })
            .collect();
        StringTemplate::from(elements).into()
    }

    pub fn strings(items: &[String]) -> Expression {
        Array::from(items.iter().map(|s| Expression::from(s.as_str())).collect::<Vec<_>>()).into()
    }

    pub fn list(items: Vec<Expression>) -> Expression {
        Array::from(items).into()
    }

    pub fn object(entries: Vec<(&str, Expression)>) -> Expression {
        let mut o = Object::new();
        for (k, v) in entries {
            o.insert(ObjectKey::Ident(Decorated::new(Ident::new(k))), ObjectValue::new(v));
        }
        o.into()
    }

    pub fn equals(lhs: Expression, rhs: Expression) -> Expression {
        BinaryOp::new(lhs, BinaryOperator::Eq, rhs).into()
    }

    pub fn not_equals(lhs: Expression, rhs: Expression) -> Expression {
        BinaryOp::new(lhs, BinaryOperator::NotEq, rhs).into()
    }

    pub fn cond(c: Expression, t: Expression, f: Expression) -> Expression {
        Conditional::new(c, t, f).into()
    }

    pub fn call(name: &str, args: Vec<Expression>) -> Expression {
        FuncCall::new(Ident::new(name), FuncArgs::from(args)).into()
    }

    pub fn number(n: u64) -> Expression {
        Expression::from(hcl_edit::Number::from(n))
    }
}

use hcl::{attr, block, call, cond, equals, indexed, list, not_equals, number, object, path, template, Item, Part};

fn var(name: &str) -> hcl_edit::expr::Expression {
    path(&["var", name])
}

fn tf_arn(arn: Arn) -> hcl_edit::expr::Expression {
    let partition = || Part::Expr(path(&["data", "aws_partition", "current", "partition"]));
    let account = || Part::Expr(path(&["data", "aws_caller_identity", "current", "account_id"]));
    let t = |x: &str| Part::Text(x.to_string());
    match arn {
        Arn::Any => "*".into(),
        Arn::SecurityGroup => template(vec![t("arn:"), partition(), t(":ec2:*:"), account(), t(":security-group/*")]),
        Arn::Vpc => template(vec![t("arn:"), partition(), t(":ec2:*:"), account(), t(":vpc/*")]),
        Arn::SecurityHubProduct => template(vec![
            t("arn:"),
            partition(),
            t(":securityhub:*:"),
            account(),
            t(":product/"),
            account(),
            t("/default"),
        ]),
    }
}

fn tf_statement(
    sid: &str,
    actions: &[String],
    resources: Vec<hcl_edit::expr::Expression>,
    conditions: Vec<Item>,
) -> Item {
    let mut items = vec![attr("sid", sid), attr("actions", hcl::strings(actions)), attr("resources", list(resources))];
    items.extend(conditions);
    block("statement", &[], items)
}

fn tf_scoped(st: &Scoped) -> Item {
    let conditions = st
        .unless
        .iter()
        .map(|n| {
            let prefix = match n.on {
                TagOn::Resource => "ec2:ResourceTag/",
                TagOn::Request => "aws:RequestTag/",
            };
            let (variable, values) = match &n.key {
                TagKey::Protect => (
                    template(vec![Part::Text(prefix.to_string()), Part::Expr(var("protect_tag_key"))]),
                    list(vec![var("protect_tag_value")]),
                ),
                TagKey::Fixed(t) => (format!("{prefix}{}", t.key).into(), hcl::strings(&t.values)),
            };
            block("condition", &[], vec![attr("test", NOT_TAGGED), attr("variable", variable), attr("values", values)])
        })
        .collect();
    tf_statement(&st.sid, &st.actions, st.resources.iter().map(|a| tf_arn(*a)).collect(), conditions)
}

fn tf_variable(name: &str, description: &str, kind: &'static str, default: Option<hcl_edit::expr::Expression>) -> Item {
    let mut items = vec![attr("description", description), attr("type", path(&[kind]))];
    if let Some(d) = default {
        items.push(attr("default", d));
    }
    block("variable", &[name], items)
}

/// `resource "aws_iam_policy" NAME` from a policy document data source, and its attachment to `role`.
fn tf_policy(name: &str, policy_name: Vec<Part>, description: &str, role: &str, count: Option<&str>) -> Vec<Item> {
    let counted = |mut items: Vec<Item>| {
        if let Some(flag) = count {
            items.insert(0, attr("count", cond(var(flag), number(1), number(0))));
            items.insert(1, Item::Gap);
        }
        items
    };
    let arn = match count {
        Some(_) => indexed(&["aws_iam_policy", name], Some(0), "arn"),
        None => path(&["aws_iam_policy", name, "arn"]),
    };
    let role_name = match count {
        Some(_) if role == "cleanup" => indexed(&["aws_iam_role", role], Some(0), "name"),
        _ => path(&["aws_iam_role", role, "name"]),
    };
    vec![
        block(
            "resource",
            &["aws_iam_policy", name],
            counted(vec![
                attr("name", template(policy_name)),
                attr("description", description),
                attr("policy", path(&["data", "aws_iam_policy_document", name, "json"])),
            ]),
        ),
        block(
            "resource",
            &["aws_iam_role_policy_attachment", name],
            counted(vec![attr("role", role_name), attr("policy_arn", arn)]),
        ),
    ]
}

/// The Terraform module that does what the template does, for one account (its provider's): the audit role,
/// its read-only managed policies, and, with variables, the Security Hub push and the cleanup role.
pub fn terraform(d: &Deployment) -> Result<String, PermissionsError> {
    let audit = audit_documents(d)?;
    let cleanup = cleanup_statements(d)?;
    let parts = audit.len();
    let protected: Vec<String> = d.protected_tags.iter().map(|t| t.key.clone()).collect();

    let mut blocks = vec![block(
        "terraform",
        &[],
        vec![
            attr("required_version", ">= 1.3"),
            block(
                "required_providers",
                &[],
                vec![attr("aws", object(vec![("source", "hashicorp/aws".into()), ("version", ">= 4.0".into())]))],
            ),
        ],
    )];
    blocks.extend([
        tf_variable(
            "role_name",
            "Name of the audit role: what sgaudit scan --org --role-name is given.",
            "string",
            Some("sgaudit-audit".into()),
        ),
        tf_variable(
            "trusted_principal_arn",
            "ARN of what runs sgaudit and may assume the roles: a role, a user, or an account's root \
             (arn:aws:iam::111122223333:root).",
            "string",
            None,
        ),
        tf_variable(
            "external_id",
            "If set, the roles may be assumed only with this external id (--external-id).",
            "string",
            Some("".into()),
        ),
    ]);
    if d.security_hub.is_some() {
        blocks.push(tf_variable(
            "allow_security_hub_push",
            "true: the audit role may also import findings (scan --push-security-hub).",
            "bool",
            Some(false.into()),
        ));
    }
    if !cleanup.is_empty() {
        blocks.extend([
            tf_variable(
                "create_cleanup_role",
                "true: also create the cleanup role (sgaudit cleanup --apply, sgaudit restore).",
                "bool",
                Some(false.into()),
            ),
            tf_variable("cleanup_role_name", "Name of the cleanup role.", "string", Some("sgaudit-cleanup".into())),
        ]);
        let Item::Block(mut key) = tf_variable(
            "protect_tag_key",
            &format!(
                "The cleanup role changes no group with this tag set to protect_tag_value (any case); {} always \
                 protects.",
                protected.join(", ")
            ),
            "string",
            Some("Environment".into()),
        ) else {
            unreachable!("tf_variable makes a block")
        };
        for fixed in &protected {
            let validation = block(
                "validation",
                &[],
                vec![
                    attr(
                        "condition",
                        not_equals(call("lower", vec![var("protect_tag_key")]), fixed.to_lowercase().into()),
                    ),
                    attr("error_message", format!("{fixed} always protects: choose another key.")),
                ],
            );
            if let Item::Block(v) = validation {
                key.body.push(v);
            }
        }
        blocks.push(Item::Block(key));
        blocks.push(tf_variable(
            "protect_tag_value",
            "The value of protect_tag_key that protects a group.",
            "string",
            Some("Production".into()),
        ));
    }

    blocks.extend([
        block("data", &["aws_partition", "current"], vec![]),
        block("data", &["aws_caller_identity", "current"], vec![]),
        block(
            "data",
            &["aws_iam_policy_document", "trust"],
            vec![block(
                "statement",
                &[],
                vec![
                    attr("sid", "TrustWhatRunsSgaudit"),
                    attr("actions", hcl::strings(&["sts:AssumeRole".to_string()])),
                    Item::Gap,
                    block(
                        "principals",
                        &[],
                        vec![attr("type", "AWS"), attr("identifiers", list(vec![var("trusted_principal_arn")]))],
                    ),
                    Item::Gap,
                    block(
                        "dynamic",
                        &["condition"],
                        vec![
                            attr(
                                "for_each",
                                cond(
                                    equals(var("external_id"), "".into()),
                                    list(vec![]),
                                    list(vec![var("external_id")]),
                                ),
                            ),
                            block(
                                "content",
                                &[],
                                vec![
                                    attr("test", "StringEquals"),
                                    attr("variable", "sts:ExternalId"),
                                    attr("values", list(vec![path(&["condition", "value"])])),
                                ],
                            ),
                        ],
                    ),
                ],
            )],
        ),
        block(
            "resource",
            &["aws_iam_role", "audit"],
            vec![
                attr("name", var("role_name")),
                attr("description", DESCRIPTION_AUDIT_ROLE),
                attr("assume_role_policy", path(&["data", "aws_iam_policy_document", "trust", "json"])),
            ],
        ),
    ]);

    for (i, doc) in audit.iter().enumerate() {
        let name = format!("scan_{}", i + 1);
        blocks.push(block(
            "data",
            &["aws_iam_policy_document", &name],
            doc.statement.iter().map(|st| tf_statement(&st.sid, &st.action, vec!["*".into()], vec![])).collect(),
        ));
        blocks.extend(tf_policy(
            &name,
            vec![Part::Expr(var("role_name")), Part::Text(format!("-scan-{}", i + 1))],
            &format!("sgaudit scan, read-only (part {} of {parts})", i + 1),
            "audit",
            None,
        ));
        if !cleanup.is_empty() {
            // What the cleanup role reads before it plans and deletes: the audit role's policies (see the template).
            blocks.push(block(
                "resource",
                &["aws_iam_role_policy_attachment", &format!("cleanup_{name}")],
                vec![
                    attr("count", cond(var("create_cleanup_role"), number(1), number(0))),
                    Item::Gap,
                    attr("role", indexed(&["aws_iam_role", "cleanup"], Some(0), "name")),
                    attr("policy_arn", path(&["aws_iam_policy", &name, "arn"])),
                ],
            ));
        }
    }

    if let Some(u) = &d.security_hub {
        blocks.push(block(
            "data",
            &["aws_iam_policy_document", "security_hub"],
            vec![tf_scoped(&security_hub_statement(u))],
        ));
        blocks.extend(tf_policy(
            "security_hub",
            vec![Part::Expr(var("role_name")), Part::Text("-security-hub".into())],
            &u.title,
            "audit",
            Some("allow_security_hub_push"),
        ));
    }

    if !cleanup.is_empty() {
        blocks.push(block(
            "resource",
            &["aws_iam_role", "cleanup"],
            vec![
                attr("count", cond(var("create_cleanup_role"), number(1), number(0))),
                Item::Gap,
                attr("name", var("cleanup_role_name")),
                attr("description", DESCRIPTION_CLEANUP_ROLE),
                attr("assume_role_policy", path(&["data", "aws_iam_policy_document", "trust", "json"])),
            ],
        ));
        blocks.push(block("data", &["aws_iam_policy_document", "cleanup"], cleanup.iter().map(tf_scoped).collect()));
        blocks.extend(tf_policy(
            "cleanup",
            vec![Part::Expr(var("cleanup_role_name")), Part::Text("-cleanup".into())],
            "sgaudit cleanup and restore: reads, and writes on unprotected groups",
            "cleanup",
            Some("create_cleanup_role"),
        ));
    }

    blocks.push(block(
        "output",
        &["audit_role_arn"],
        vec![
            attr("description", "The audit role: sgaudit scan --org --role-name <its name>."),
            attr("value", path(&["aws_iam_role", "audit", "arn"])),
        ],
    ));
    if !cleanup.is_empty() {
        blocks.push(block(
            "output",
            &["cleanup_role_arn"],
            vec![
                attr("description", "The cleanup role, when created: sgaudit cleanup --org --role-name <its name>."),
                attr("value", call("one", vec![indexed(&["aws_iam_role", "cleanup"], None, "arn")])),
            ],
        ));
    }

    Ok(hcl::file(
        &[
            "sgaudit's roles in one member account: the read-only audit role that sgaudit scan --org --role-name",
            "assumes, and optionally the Security Hub push and the cleanup role. Apply it with a provider for each",
            "account (or deploy the CloudFormation template as a StackSet). Written by sgaudit permissions",
            "--format terraform.",
        ],
        blocks,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(sid: &str, n: usize, width: usize) -> Statement {
        Statement {
            sid: sid.to_string(),
            effect: "Allow",
            action: (0..n).map(|i| format!("svc:Action{i:0width$}")).collect(),
            resource: "*",
        }
    }

    fn actions_of(docs: &[Document]) -> Vec<String> {
        let mut all: Vec<String> =
            docs.iter().flat_map(|d| d.statement.iter().flat_map(|s| s.action.clone())).collect();
        all.sort();
        all
    }

    #[test]
    fn the_size_is_what_iam_counts() {
        let d = Document::new(vec![statement("A", 2, 1)]);
        let compact = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["svc:Action0","svc:Action1"],"Resource":"*"}]}"#;
        assert_eq!(d.size(), compact.len());
        assert_eq!(size_of(&d), d.to_pretty_json().unwrap().chars().filter(|c| !c.is_whitespace()).count());
    }

    #[test]
    fn a_split_keeps_every_action_within_the_limit_and_is_deterministic() {
        let input = vec![
            statement("Small", 2, 3),
            statement("Huge", 700, 4),
            statement("Medium", 120, 3),
            statement("Tiny", 1, 1),
            statement("Big", 300, 5),
        ];
        let docs = split(&input, MANAGED_POLICY_LIMIT).unwrap();
        assert!(docs.len() > 2);
        for d in &docs {
            assert!(d.size() <= MANAGED_POLICY_LIMIT, "{}", d.size());
            for s in &d.statement {
                assert!(s.sid.chars().all(|c| c.is_ascii_alphanumeric()), "{}", s.sid);
            }
        }
        let mut want: Vec<String> = input.iter().flat_map(|s| s.action.clone()).collect();
        want.sort();
        assert_eq!(actions_of(&docs), want, "the union of the parts is the input, each action once");
        assert_eq!(split(&input, MANAGED_POLICY_LIMIT).unwrap(), docs, "the same input, the same documents");
        // A statement that fits stays whole; one that does not is cut into numbered parts.
        let sids: Vec<&str> = docs.iter().flat_map(|d| d.statement.iter().map(|s| s.sid.as_str())).collect();
        for whole in ["Small", "Medium", "Tiny"] {
            assert_eq!(sids.iter().filter(|s| **s == whole).count(), 1, "{sids:?}");
        }
        assert!(sids.contains(&"HugePart1") && sids.contains(&"HugePart2") && !sids.contains(&"Huge"), "{sids:?}");
        // Parts are filled as far as they go: only the last part of a statement can have room for the next action.
        let part1 = docs.iter().flat_map(|d| &d.statement).find(|s| s.sid == "HugePart1").unwrap();
        let mut one_more = part1.clone();
        one_more.action.push("svc:Action9999".into());
        assert!(Document::new(vec![one_more]).size() > MANAGED_POLICY_LIMIT);
    }

    #[test]
    fn what_fits_in_one_document_stays_one_document() {
        let input = vec![statement("A", 3, 1), statement("B", 4, 1)];
        let docs = split(&input, MANAGED_POLICY_LIMIT).unwrap();
        assert_eq!(docs, vec![Document::new(input)]);
    }

    #[test]
    fn an_action_longer_than_the_limit_is_an_error() {
        let mut s = statement("A", 1, 1);
        s.action[0] = format!("svc:{}", "x".repeat(MANAGED_POLICY_LIMIT));
        assert!(matches!(split(&[s], MANAGED_POLICY_LIMIT), Err(PermissionsError::ActionTooLarge(_))));
    }

    #[test]
    fn the_size_note_says_what_to_do() {
        assert_eq!(size_note(6_144), None);
        let note = size_note(9_902).unwrap();
        assert!(note.contains("9,902") && note.contains("6,144") && note.contains("10,240"), "{note}");
        assert!(note.contains("--format cloudformation|terraform"), "{note}");
        assert!(size_note(20_000).unwrap().contains("over IAM's 6,144 for a managed policy and 10,240"));
        assert!(!note.contains('\n'));
    }

    fn use_policy(id: &str, sid: &str, writes: bool, actions: &[&str]) -> UsePolicy {
        UsePolicy {
            id: id.into(),
            sid: sid.into(),
            title: format!("{id} things"),
            home: "every account".into(),
            writes,
            actions: actions.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn deployment() -> Deployment {
        Deployment {
            audit: vec![use_policy("scan", "SgauditScan", false, &["ec2:DescribeRegions", "sts:GetCallerIdentity"])],
            security_hub: Some(use_policy(
                "security-hub",
                "SgauditSecurityHub",
                true,
                &["securityhub:BatchImportFindings"],
            )),
            cleanup: vec![
                use_policy(
                    "cleanup",
                    "SgauditCleanup",
                    true,
                    &["cloudtrail:LookupEvents", "ec2:DeleteSecurityGroup", "ec2:DescribeSecurityGroups"],
                ),
                use_policy("restore", "SgauditRestore", true, &["ec2:CreateSecurityGroup", "ec2:CreateTags"]),
            ],
            protected_tags: vec![ProtectedTag { key: "DoNotDelete".into(), values: vec!["true".into(), "yes".into()] }],
        }
    }

    #[test]
    fn the_cleanup_role_writes_only_where_no_tag_protects() {
        let statements = cleanup_statements(&deployment()).unwrap();
        let by_sid = |sid: &str| statements.iter().find(|s| s.sid == sid).unwrap();
        assert_eq!(by_sid("SgauditCleanupRead").actions, ["cloudtrail:LookupEvents", "ec2:DescribeSecurityGroups"]);
        assert_eq!(by_sid("SgauditCleanupRead").resources, [Arn::Any]);
        let delete = by_sid("SgauditCleanupUnprotectedGroups");
        assert_eq!(delete.actions, ["ec2:DeleteSecurityGroup"]);
        assert_eq!(delete.resources, [Arn::SecurityGroup]);
        assert_eq!(delete.unless.len(), 2, "the deployer's tag and DoNotDelete");
        assert!(delete.unless.iter().all(|n| n.on == TagOn::Resource));
        let create = by_sid("SgauditRestoreCreateGroups");
        assert_eq!(create.unless, [NotTagged { on: TagOn::Request, key: TagKey::Protect }]);
        assert_eq!(by_sid("SgauditRestoreTagGroups").unless.len(), 3);

        // A write nobody said how to scope is refused, not granted on everything.
        let mut d = deployment();
        d.cleanup[0].actions.push("ec2:ModifyNetworkInterfaceAttribute".into());
        assert!(matches!(cleanup_statements(&d), Err(PermissionsError::UnscopedWrite { .. })));
    }

    #[test]
    fn the_cleanup_policy_fits_even_with_the_longest_tag() {
        let doc =
            serde_json::to_string(&J::A(cleanup_statements(&deployment()).unwrap().iter().map(cfn_scoped).collect()))
                .unwrap()
                .replace("${ProtectTagKey}", &"k".repeat(128))
                .replace("${ProtectTagValue}", &"v".repeat(256));
        assert!(doc.len() < MANAGED_POLICY_LIMIT / 2, "{}", doc.len());
    }

    #[test]
    fn the_template_is_json_with_the_roles_and_their_policies() {
        let t: serde_json::Value = serde_json::from_str(&cloudformation(&deployment()).unwrap()).unwrap();
        let types: Vec<(&str, &str)> = t["Resources"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v["Type"].as_str().unwrap()))
            .collect();
        assert_eq!(
            types,
            [
                ("AuditPolicy1", "AWS::IAM::ManagedPolicy"),
                ("AuditRole", "AWS::IAM::Role"),
                ("CleanupPolicy", "AWS::IAM::ManagedPolicy"),
                ("CleanupRole", "AWS::IAM::Role"),
                ("SecurityHubPolicy", "AWS::IAM::ManagedPolicy"),
            ]
        );
        let pattern = t["Parameters"]["ProtectTagKey"]["AllowedPattern"].as_str().unwrap();
        assert!(pattern.starts_with("^(?![Dd][Oo][Nn][Oo][Tt][Dd][Ee][Ll][Ee][Tt][Ee]$)"), "{pattern}");
        assert!(cloudformation(&Deployment { audit: vec![], ..deployment() }).is_err());
    }

    #[test]
    fn the_module_names_every_action_once_and_no_write_unscoped() {
        let module = terraform(&deployment()).unwrap();
        for a in ["ec2:DescribeRegions", "securityhub:BatchImportFindings", "ec2:CreateTags"] {
            assert_eq!(module.matches(&format!("\"{a}\"")).count(), 1, "{a}\n{module}");
        }
        assert!(module.contains("variable = \"ec2:ResourceTag/${var.protect_tag_key}\""), "{module}");
        assert!(module.contains("count = var.create_cleanup_role ? 1 : 0"), "{module}");
        assert!(module.contains("value       = one(aws_iam_role.cleanup[*].arn)"), "{module}");
        assert!(!module.contains("$${"), "an interpolation escaped as text:\n{module}");
    }
}
