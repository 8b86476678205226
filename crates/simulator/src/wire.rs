//! Recognising a request (service, operation, account, region, protocol) and writing answers and errors in each
//! protocol's wire format.

use crate::util::{form_value, query_value};

/// What the HTTP layer keeps of a request: the few headers the simulator reads, and the body.
#[derive(Debug, Default, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub authorization: Option<String>,
    pub amz_target: Option<String>,
    pub content_type: Option<String>,
    pub security_token: Option<String>,
    pub body: Vec<u8>,
}

/// The wire protocols of the services a scan calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// awsJson 1.0 or 1.1 (`X-Amz-Target`); the answer's content type repeats the request's.
    AwsJson {
        v10: bool,
    },
    RestJson,
    /// awsQuery (IAM, STS, RDS, ...): a form body with `Action=`, XML answers in `<OpResponse><OpResult>`.
    Query,
    /// EC2's own query protocol: XML answers without a result wrapper, errors in `<Response><Errors>`.
    Ec2,
    /// S3 (restXml, errors unwrapped: `<Error>`).
    S3,
    /// S3 Control (restXml, errors wrapped: `<ErrorResponse><Error>`).
    S3Control,
    /// Smithy RPC v2 CBOR (`/service/X/operation/Op`).
    Cbor,
}

/// A recognised request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The SigV4 signing name (`ec2`, `aps`, `s3`).
    pub service: String,
    pub region: String,
    pub access_key: String,
    pub protocol: Protocol,
    /// The operation: its name where the request says it (`X-Amz-Target`, `Action=`, CBOR's path, S3's `x-id`),
    /// else `METHOD /path` (restJson).
    pub operation: String,
}

/// The `Credential=AKID/DATE/REGION/SERVICE/aws4_request` scope of a SigV4 `Authorization` header.
pub fn credential_scope(authorization: &str) -> Option<(&str, &str, &str)> {
    let at = authorization.find("Credential=")? + "Credential=".len();
    let scope = authorization[at..].split([',', ' ']).next()?;
    let mut parts = scope.split('/');
    let key = parts.next()?;
    let _date = parts.next()?;
    let region = parts.next()?;
    let service = parts.next()?;
    Some((key, region, service))
}

/// Recognises a signed request; `None` for an unsigned one (which AWS would refuse).
pub fn recognise(req: &Request) -> Option<Call> {
    let (key, region, service) = credential_scope(req.authorization.as_deref()?)?;
    let (path, query) = req.target.split_once('?').unwrap_or((req.target.as_str(), ""));
    let (protocol, operation) = if let Some(target) = &req.amz_target {
        let v10 = req.content_type.as_deref().is_some_and(|c| c.contains("1.0"));
        (Protocol::AwsJson { v10 }, target.rsplit('.').next().unwrap_or(target).to_string())
    } else if let Some(op) = path.strip_prefix("/service/").and_then(|p| p.split_once("/operation/")).map(|(_, op)| op)
    {
        (Protocol::Cbor, op.to_string())
    } else if let Some(action) = form_value(&req.body, "Action")
        .filter(|_| req.content_type.as_deref().is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")))
    {
        let protocol = if service == "ec2" { Protocol::Ec2 } else { Protocol::Query };
        (protocol, action.to_string())
    } else if service == "s3" && path.starts_with("/v20180820/") {
        (Protocol::S3Control, s3control_operation(&req.method, path))
    } else if service == "s3" {
        let op = query_value(query, "x-id").map(str::to_string).unwrap_or_else(|| {
            if path == "/" && req.method == "GET" {
                "ListBuckets".to_string()
            } else {
                rest(req, path)
            }
        });
        (Protocol::S3, op)
    } else {
        (Protocol::RestJson, rest(req, path))
    };
    // Classic and v2 load balancing sign alike and share action names; the API version tells them apart.
    let service = if service == "elasticloadbalancing" && form_value(&req.body, "Version") == Some("2015-12-01") {
        "elasticloadbalancingv2"
    } else {
        service
    };
    Some(Call {
        service: service.to_string(),
        region: region.to_string(),
        access_key: key.to_string(),
        protocol,
        operation,
    })
}

/// `METHOD /path`, with path segments that are account ids or other numbers written `{id}` (QuickSight puts the
/// account in its paths), so that one API counts as one.
fn rest(req: &Request, path: &str) -> String {
    let mut out = format!("{} ", req.method);
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str("{id}");
        } else {
            out.push_str(segment);
        }
    }
    out
}

fn s3control_operation(method: &str, path: &str) -> String {
    match (method, path) {
        ("GET", "/v20180820/configuration/publicAccessBlock") => "GetPublicAccessBlock".to_string(),
        _ => format!("{method} {path}"),
    }
}

/// An answer: status, content type, extra headers, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Answer { status, content_type, headers: Vec::new(), body: body.into() }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// The XML namespace of an awsQuery service's answers (the SDK does not check it; real ones are written anyway).
fn query_namespace(service: &str) -> &'static str {
    match service {
        "sts" => "https://sts.amazonaws.com/doc/2011-06-15/",
        "iam" => "https://iam.amazonaws.com/doc/2010-05-08/",
        "rds" => "http://rds.amazonaws.com/doc/2014-10-31/",
        "redshift" => "http://redshift.amazonaws.com/doc/2012-12-01/",
        "elasticache" => "http://elasticache.amazonaws.com/doc/2015-02-02/",
        "autoscaling" => "http://autoscaling.amazonaws.com/doc/2011-01-01/",
        "elasticbeanstalk" => "http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/",
        "elasticloadbalancing" => "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
        _ => "https://amazonaws.com/doc/",
    }
}

pub const EC2_NS: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";
const CBOR_EMPTY_MAP: u8 = 0xa0;

/// The successful answer of an operation whose lists hold nothing, in its protocol.
pub fn empty(call: &Call, request_id: &str) -> Answer {
    let op = &call.operation;
    match call.protocol {
        Protocol::AwsJson { v10 } => Answer::new(200, json_type(v10), "{}"),
        Protocol::RestJson => Answer::new(200, "application/json", "{}"),
        Protocol::Query => query_ok(call, &format!("<{op}Result/>"), request_id),
        Protocol::Ec2 => ec2_ok(op, "", request_id),
        Protocol::S3 | Protocol::S3Control => {
            Answer::new(200, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        }
        Protocol::Cbor => cbor(200, vec![CBOR_EMPTY_MAP]),
    }
}

pub fn json_type(v10: bool) -> &'static str {
    if v10 {
        "application/x-amz-json-1.0"
    } else {
        "application/x-amz-json-1.1"
    }
}

fn cbor(status: u16, body: Vec<u8>) -> Answer {
    Answer::new(status, "application/cbor", body).header("smithy-protocol", "rpc-v2-cbor")
}

/// An awsQuery answer with `result` (the whole `<OpResult>` element) inside.
pub fn query_ok(call: &Call, result: &str, request_id: &str) -> Answer {
    let op = &call.operation;
    let ns = query_namespace(&call.service);
    Answer::new(
        200,
        "text/xml",
        format!(
            "<{op}Response xmlns=\"{ns}\">{result}<ResponseMetadata><RequestId>{request_id}</RequestId>\
             </ResponseMetadata></{op}Response>"
        ),
    )
}

/// An EC2 answer with `inner` (its elements, no wrapper) inside.
pub fn ec2_ok(op: &str, inner: &str, request_id: &str) -> Answer {
    Answer::new(
        200,
        "text/xml;charset=UTF-8",
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{op}Response xmlns=\"{EC2_NS}\"><requestId>{request_id}\
             </requestId>{inner}</{op}Response>"
        ),
    )
}

/// Why an error is answered; each maps to its real code and status per protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Throttled,
    Expired,
    AccessDenied,
    /// IAM's `NoSuchEntity` (no password policy set).
    NoSuchEntity,
    /// S3 Control's `NoSuchPublicAccessBlockConfiguration`.
    NoPublicAccessBlock,
    /// Service Quotas' `NoSuchResourceException`: no applied value of the quota for the account.
    NoSuchResource,
    InvalidNextToken,
}

impl Failure {
    /// Code, HTTP status and message in `protocol`.
    fn parts(self, protocol: Protocol) -> (&'static str, u16, &'static str) {
        use Protocol::*;
        match (self, protocol) {
            (Failure::Throttled, Ec2) => ("RequestLimitExceeded", 503, "Request limit exceeded."),
            (Failure::Throttled, Query) => ("Throttling", 400, "Rate exceeded"),
            (Failure::Throttled, S3 | S3Control) => ("SlowDown", 503, "Please reduce your request rate."),
            (Failure::Throttled, RestJson) => ("ThrottlingException", 429, "Rate exceeded"),
            (Failure::Throttled, AwsJson { .. } | Cbor) => ("ThrottlingException", 400, "Rate exceeded"),
            (Failure::Expired, Ec2) => ("RequestExpired", 400, "Request has expired."),
            (Failure::Expired, Query) => ("ExpiredToken", 403, "The security token included in the request is expired"),
            (Failure::Expired, S3 | S3Control) => ("ExpiredToken", 400, "The provided token has expired."),
            (Failure::Expired, _) => {
                ("ExpiredTokenException", 403, "The security token included in the request is expired")
            }
            (Failure::AccessDenied, Ec2) => {
                ("UnauthorizedOperation", 403, "You are not authorized to perform this operation.")
            }
            (Failure::AccessDenied, AwsJson { .. } | RestJson | Cbor) => {
                ("AccessDeniedException", 403, "User is not authorized to perform this operation")
            }
            (Failure::AccessDenied, _) => ("AccessDenied", 403, "User is not authorized to perform this operation"),
            (Failure::NoSuchEntity, _) => {
                ("NoSuchEntity", 404, "The Password Policy with domain name simulated cannot be found.")
            }
            (Failure::NoPublicAccessBlock, _) => {
                ("NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found")
            }
            (Failure::NoSuchResource, _) => ("NoSuchResourceException", 400, "The specified resource does not exist."),
            (Failure::InvalidNextToken, Ec2) => ("InvalidParameterValue", 400, "The NextToken is not valid."),
            (Failure::InvalidNextToken, _) => ("InvalidNextTokenException", 400, "The NextToken is not valid."),
        }
    }
}

/// The error answer of `failure` in the call's protocol (`message` replaces the standard one when given).
pub fn error(call: &Call, failure: Failure, message: Option<&str>, request_id: &str) -> Answer {
    let (code, status, standard) = failure.parts(call.protocol);
    let message = message.unwrap_or(standard);
    match call.protocol {
        Protocol::Ec2 => Answer::new(
            status,
            "text/xml;charset=UTF-8",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code>\
                 <Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
            ),
        ),
        Protocol::Query | Protocol::S3Control => Answer::new(
            status,
            "text/xml",
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
                 <RequestId>{request_id}</RequestId></ErrorResponse>"
            ),
        ),
        Protocol::S3 => Answer::new(
            status,
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>\
                 <RequestId>{request_id}</RequestId><HostId>simulated</HostId></Error>"
            ),
        ),
        Protocol::AwsJson { v10 } => {
            let body = serde_json::json!({ "__type": code, "message": message }).to_string();
            Answer::new(status, json_type(v10), body).header("x-amzn-ErrorType", code)
        }
        Protocol::RestJson => {
            let body = serde_json::json!({ "message": message }).to_string();
            Answer::new(status, "application/json", body).header("x-amzn-ErrorType", code)
        }
        Protocol::Cbor => {
            let mut body = vec![0xa2];
            cbor_text(&mut body, "__type");
            cbor_text(&mut body, code);
            cbor_text(&mut body, "message");
            cbor_text(&mut body, message);
            cbor(status, body)
        }
    }
}

/// A CBOR text string (major type 3).
fn cbor_text(out: &mut Vec<u8>, s: &str) {
    let n = s.len();
    match n {
        0..=23 => out.push(0x60 | n as u8),
        24..=0xff => out.extend([0x78, n as u8]),
        _ => {
            out.push(0x79);
            out.extend((n as u16).to_be_bytes());
        }
    }
    out.extend(s.as_bytes());
}

/// A reason phrase for the status line.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(service: &str, key: &str) -> Option<String> {
        Some(format!(
            "AWS4-HMAC-SHA256 Credential={key}/20261201/eu-west-1/{service}/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=abc"
        ))
    }

    #[test]
    fn recognises_each_protocol() {
        let json = Request {
            method: "POST".into(),
            target: "/".into(),
            authorization: signed("cloudtrail", "AKIDX"),
            amz_target: Some("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails".into()),
            content_type: Some("application/x-amz-json-1.1".into()),
            ..Request::default()
        };
        let call = recognise(&json).expect("signed");
        assert_eq!(
            (call.service.as_str(), call.region.as_str(), call.access_key.as_str()),
            ("cloudtrail", "eu-west-1", "AKIDX")
        );
        assert_eq!((call.protocol, call.operation.as_str()), (Protocol::AwsJson { v10: false }, "DescribeTrails"));

        let ec2 = Request {
            method: "POST".into(),
            target: "/".into(),
            authorization: signed("ec2", "AKIDX"),
            content_type: Some("application/x-www-form-urlencoded".into()),
            body: b"Action=DescribeSecurityGroups&Version=2016-11-15&MaxResults=1000".to_vec(),
            ..Request::default()
        };
        let call = recognise(&ec2).expect("signed");
        assert_eq!((call.protocol, call.operation.as_str()), (Protocol::Ec2, "DescribeSecurityGroups"));
        let iam =
            Request { authorization: signed("iam", "AKIDX"), body: b"Action=GetAccountPasswordPolicy".to_vec(), ..ec2 };
        assert_eq!(recognise(&iam).map(|c| c.protocol), Some(Protocol::Query));
        let elb = |version: &str| Request {
            authorization: signed("elasticloadbalancing", "AKIDX"),
            body: format!("Action=DescribeLoadBalancers&Version={version}").into_bytes(),
            ..iam.clone()
        };
        assert_eq!(recognise(&elb("2012-06-01")).map(|c| c.service), Some("elasticloadbalancing".into()));
        assert_eq!(recognise(&elb("2015-12-01")).map(|c| c.service), Some("elasticloadbalancingv2".into()));

        let cbor = Request {
            method: "POST".into(),
            target: "/service/PhotonAdminProxyService/operation/DescribeFleets".into(),
            authorization: signed("appstream", "AKIDX"),
            ..Request::default()
        };
        let call = recognise(&cbor).expect("signed");
        assert_eq!((call.protocol, call.operation.as_str()), (Protocol::Cbor, "DescribeFleets"));

        let rest = Request {
            method: "GET".into(),
            target: "/scrapers?maxResults=100".into(),
            authorization: signed("aps", "AKIDX"),
            ..Request::default()
        };
        let call = recognise(&rest).expect("signed");
        assert_eq!((call.protocol, call.operation.as_str()), (Protocol::RestJson, "GET /scrapers"));
        let quicksight = Request { target: "/accounts/100000000004/vpc-connections".into(), ..rest.clone() };
        assert_eq!(recognise(&quicksight).map(|c| c.operation), Some("GET /accounts/{id}/vpc-connections".into()));

        let s3 = Request {
            method: "GET".into(),
            target: "/?x-id=ListBuckets".into(),
            authorization: signed("s3", "AKIDX"),
            ..Request::default()
        };
        assert_eq!(recognise(&s3).map(|c| (c.protocol, c.operation)), Some((Protocol::S3, "ListBuckets".into())));
        let s3control = Request { target: "/v20180820/configuration/publicAccessBlock".into(), ..s3 };
        assert_eq!(
            recognise(&s3control).map(|c| (c.protocol, c.operation)),
            Some((Protocol::S3Control, "GetPublicAccessBlock".into()))
        );
        assert_eq!(recognise(&Request::default()), None, "an unsigned request is not recognised");
    }

    #[test]
    fn errors_have_each_protocols_shape() {
        let call = |protocol| Call {
            service: "x".into(),
            region: "us-east-1".into(),
            access_key: "AKID".into(),
            protocol,
            operation: "Op".into(),
        };
        let ec2 = error(&call(Protocol::Ec2), Failure::Throttled, None, "r1");
        assert_eq!(ec2.status, 503);
        assert!(String::from_utf8_lossy(&ec2.body).contains("<Code>RequestLimitExceeded</Code>"));
        let query = error(&call(Protocol::Query), Failure::Throttled, None, "r1");
        assert_eq!(query.status, 400);
        assert!(String::from_utf8_lossy(&query.body)
            .contains("<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded"));
        let rest = error(&call(Protocol::RestJson), Failure::Throttled, None, "r1");
        assert_eq!(rest.status, 429);
        assert!(rest.headers.contains(&("x-amzn-ErrorType", "ThrottlingException".to_string())));
        let json = error(&call(Protocol::AwsJson { v10: true }), Failure::Throttled, None, "r1");
        assert_eq!((json.status, json.content_type), (400, "application/x-amz-json-1.0"));
        assert!(String::from_utf8_lossy(&json.body).contains("\"__type\":\"ThrottlingException\""));
        assert_eq!(error(&call(Protocol::S3), Failure::Throttled, None, "r1").status, 503);
        let cbor = error(&call(Protocol::Cbor), Failure::Throttled, None, "r1");
        assert_eq!(cbor.body[0], 0xa2, "a CBOR map of two entries");
        assert!(cbor.headers.contains(&("smithy-protocol", "rpc-v2-cbor".to_string())));
        assert_eq!(empty(&call(Protocol::Cbor), "r").body, vec![0xa0]);
        assert_eq!(
            String::from_utf8_lossy(&empty(&call(Protocol::Query), "r9").body),
            "<OpResponse xmlns=\"https://amazonaws.com/doc/\"><OpResult/><ResponseMetadata><RequestId>r9\
             </RequestId></ResponseMetadata></OpResponse>"
        );
    }
}
