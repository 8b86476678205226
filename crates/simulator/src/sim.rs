//! The simulated organisation: who is calling (account, session), what is throttled, what each call answers, and
//! the counters.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::estate::{page, Estate};
use crate::limits::{ec2_rate, Buckets, Latency, Rate};
use crate::util::{base64, form_has_prefix, form_value, hash_parts, iso8601, percent_decode};
use crate::wire::{self, Answer, Call, Failure, Protocol, Request};
use crate::{ApiStats, Config, Stats};

/// The prefix of the session tokens the simulator hands out: `SIMTOKEN.<account>.<expiry unix>.<random>`.
const TOKEN_PREFIX: &str = "SIMTOKEN.";

/// The role every simulated session claims to be (GetCallerIdentity of an assumed role).
const ROLE_NAME: &str = "OrganizationAccountAccessRole";

pub struct Sim {
    pub config: Config,
    /// Member account ids as text, the management account first.
    accounts: Vec<String>,
    latency: Latency,
    started: Instant,
    counters: Mutex<Counters>,
    buckets: Mutex<Buckets>,
    /// Sessions handed out per account (for `--refuse-refresh`).
    sessions: Mutex<HashMap<u64, u32>>,
    request_seq: AtomicU64,
    pub connections: AtomicU64,
}

#[derive(Default)]
struct Counters {
    requests: u64,
    throttled: u64,
    expired: u64,
    refused_refresh: u64,
    unrecognised: u64,
    per_api: HashMap<String, ApiStats>,
    distinct: HashSet<u64>,
    in_flight: u64,
    max_in_flight: u64,
    /// Integral of requests in flight over time (request-seconds), up to `last_change`.
    in_flight_area: f64,
    last_change: Option<Instant>,
}

impl Counters {
    fn move_in_flight(&mut self, now: Instant, up: bool) {
        if let Some(last) = self.last_change {
            self.in_flight_area += self.in_flight as f64 * now.saturating_duration_since(last).as_secs_f64();
        }
        self.last_change = Some(now);
        if up {
            self.in_flight += 1;
            self.max_in_flight = self.max_in_flight.max(self.in_flight);
        } else {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
    }
}

/// What the connection does with a handled request.
pub struct Handled {
    pub answer: Answer,
    pub delay: Duration,
    /// The request budget is spent: stop after answering.
    pub budget_spent: bool,
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl Sim {
    pub fn new(config: Config) -> Self {
        let accounts = (0..u64::from(config.accounts)).map(|i| (config.management_account + i).to_string()).collect();
        let latency = Latency::new(config.latency_median_ms, config.latency_p99_ms);
        Sim {
            config,
            accounts,
            latency,
            started: Instant::now(),
            counters: Mutex::default(),
            buckets: Mutex::default(),
            sessions: Mutex::default(),
            request_seq: AtomicU64::new(0),
            connections: AtomicU64::new(0),
        }
    }

    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A request has been read: it is in flight until [`Sim::finished`].
    pub fn started(&self) {
        self.counters().move_in_flight(Instant::now(), true);
    }

    /// Its answer has been written (or the connection lost).
    pub fn finished(&self) {
        self.counters().move_in_flight(Instant::now(), false);
    }

    pub fn stats(&self) -> Stats {
        let c = self.counters();
        let now = Instant::now();
        let uptime = now.saturating_duration_since(self.started).as_secs_f64();
        let area = c.in_flight_area
            + c.last_change.map(|l| c.in_flight as f64 * now.saturating_duration_since(l).as_secs_f64()).unwrap_or(0.0);
        Stats {
            requests: c.requests,
            distinct: c.distinct.len() as u64,
            throttled: c.throttled,
            expired: c.expired,
            refused_refresh: c.refused_refresh,
            unrecognised: c.unrecognised,
            max_in_flight: c.max_in_flight,
            mean_in_flight: if uptime > 0.0 { area / uptime } else { 0.0 },
            connections: self.connections.load(Ordering::Relaxed),
            uptime_seconds: uptime,
            per_api: c.per_api.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<BTreeMap<_, _>>(),
        }
    }

    /// The account a request's access key belongs to: a key the simulator made (`ASIA` + 12 digits) names its
    /// account; any other key is the management account's.
    fn account_of<'a>(&'a self, access_key: &str) -> &'a str {
        access_key
            .strip_prefix("ASIA")
            .and_then(|rest| rest.get(..12))
            .and_then(|id| self.accounts.iter().find(|a| a.as_str() == id))
            .unwrap_or(&self.accounts[0])
    }

    /// Answers one request.
    pub fn handle(&self, req: &Request, rng: &mut fastrand::Rng) -> Handled {
        let request_id = format!("sim-{:016x}", self.request_seq.fetch_add(1, Ordering::Relaxed));
        let delay = Duration::from_secs_f64(self.latency.draw(rng) / 1000.0);
        let Some(call) = wire::recognise(req) else {
            let mut c = self.counters();
            c.requests += 1;
            c.unrecognised += 1;
            let spent = c.requests >= self.config.max_requests;
            return Handled {
                answer: Answer::new(403, "text/plain", "the simulator answers only SigV4-signed requests"),
                delay,
                budget_spent: spent,
            };
        };
        let account = self.account_of(&call.access_key);
        let api = format!("{}:{}", call.service, call.operation);

        // An expired session first (AWS checks the signature before it throttles).
        let expired = req
            .security_token
            .as_deref()
            .and_then(|t| t.strip_prefix(TOKEN_PREFIX))
            .and_then(|t| t.split('.').nth(1))
            .and_then(|e| e.parse::<u64>().ok())
            .is_some_and(|expiry| unix_now() >= expiry);
        let throttled = !expired && self.config.throttle && !self.take_token(&call, account, req);

        let distinct_key = hash_parts(&[
            account.as_bytes(),
            call.region.as_bytes(),
            api.as_bytes(),
            req.method.as_bytes(),
            req.target.as_bytes(),
            req.amz_target.as_deref().unwrap_or("").as_bytes(),
            &req.body,
        ]);
        let budget_spent = {
            let mut c = self.counters();
            c.requests += 1;
            c.throttled += u64::from(throttled);
            c.expired += u64::from(expired);
            let new = !expired && !throttled && c.distinct.insert(distinct_key);
            let entry = c.per_api.entry(api).or_default();
            entry.requests += 1;
            entry.throttled += u64::from(throttled);
            entry.expired += u64::from(expired);
            entry.distinct += u64::from(new);
            c.requests >= self.config.max_requests
        };
        let answer = if expired {
            wire::error(&call, Failure::Expired, None, &request_id)
        } else if throttled {
            wire::error(&call, Failure::Throttled, None, &request_id)
        } else {
            self.answer(&call, account, req, &request_id)
        };
        Handled { answer, delay, budget_spent }
    }

    /// Takes a token from the call's bucket; false when throttled.
    fn take_token(&self, call: &Call, account: &str, req: &Request) -> bool {
        let (family, rate): (&str, Rate) = match call.service.as_str() {
            "ec2" => {
                let paged = form_value(&req.body, "MaxResults").is_some()
                    || form_value(&req.body, "NextToken").is_some()
                    || form_has_prefix(&req.body, "Filter.");
                (call.operation.as_str(), ec2_rate(&call.operation, paged))
            }
            "sts" => ("sts", self.config.sts_rate),
            other => (other, self.config.service_rate),
        };
        // IAM and Organizations are global: one bucket per account for every region.
        let region = if matches!(call.service.as_str(), "iam" | "organizations") { "global" } else { &call.region };
        let key = hash_parts(&[account.as_bytes(), region.as_bytes(), call.service.as_bytes(), family.as_bytes()]);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        buckets.take(key, rate, Instant::now())
    }

    fn answer(&self, call: &Call, account: &str, req: &Request, rid: &str) -> Answer {
        match (call.service.as_str(), call.operation.as_str()) {
            ("sts", "GetCallerIdentity") => self.caller_identity(call, account, req, rid),
            ("sts", "AssumeRole") => self.assume_role(call, req, rid),
            ("organizations", "ListAccounts") => self.list_accounts(call, req),
            ("organizations", "DescribeOrganization") => self.describe_organization(call),
            ("ec2", "DescribeRegions") => self.describe_regions(call, req, rid),
            ("ec2", "DescribeSecurityGroups") => self.ec2_paged(call, account, req, rid, Listing::Groups),
            ("ec2", "DescribeNetworkInterfaces") => self.ec2_paged(call, account, req, rid, Listing::Interfaces),
            ("ec2", "DescribeInstances") => self.ec2_paged(call, account, req, rid, Listing::Instances),
            ("ec2", "DescribeVpcs") => self.ec2_paged(call, account, req, rid, Listing::Vpcs),
            ("ec2", "GetEbsEncryptionByDefault") => wire::ec2_ok(
                &call.operation,
                "<ebsEncryptionByDefault>false</ebsEncryptionByDefault><sseType>sse-ebs</sseType>",
                rid,
            ),
            ("ec2", "DescribeManagedPrefixLists") => self.managed_prefix_lists(call, account, rid),
            ("servicequotas", "GetServiceQuota") => self.service_quota(call, account, req, rid),
            ("iam", "GenerateCredentialReport") => wire::query_ok(
                call,
                "<GenerateCredentialReportResult><State>COMPLETE</State><Description>No report exists. Starting a \
                 new report generation task</Description></GenerateCredentialReportResult>",
                rid,
            ),
            ("iam", "GetCredentialReport") => self.credential_report(call, account, rid),
            ("iam", "GetAccountPasswordPolicy") => wire::error(call, Failure::NoSuchEntity, None, rid),
            ("s3", "ListBuckets") => Answer::new(
                200,
                "application/xml",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.\
                     com/doc/2006-03-01/\"><Owner><ID>{:064x}</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>",
                    hash_parts(&[account.as_bytes()])
                ),
            ),
            ("s3", "GetPublicAccessBlock") if call.protocol == Protocol::S3Control => {
                wire::error(call, Failure::NoPublicAccessBlock, None, rid)
            }
            _ => wire::empty(call, rid),
        }
    }

    /// The region's managed prefix lists: AWS's S3 and DynamoDB lists, and one of the account's own (one page,
    /// as a region with fewer than 100 lists answers).
    fn managed_prefix_lists(&self, call: &Call, account: &str, rid: &str) -> Answer {
        let region = &call.region;
        let id = |name: &str| format!("pl-{:017x}", hash_parts(&[region.as_bytes(), name.as_bytes()]) >> 4);
        let mut inner = String::from("<prefixListSet>");
        let mut item = |name: String, owner: &str, max: Option<u32>| {
            let id = id(&name);
            let arn_owner = if owner == "AWS" { "aws" } else { owner };
            let _ = write!(
                inner,
                "<item><prefixListId>{id}</prefixListId><addressFamily>IPv4</addressFamily><state>create-complete\
                 </state><prefixListArn>arn:aws:ec2:{region}:{arn_owner}:prefix-list/{id}</prefixListArn>\
                 <prefixListName>{name}</prefixListName>{}<version>1</version><tagSet/><ownerId>{owner}</ownerId>\
                 </item>",
                max.map(|m| format!("<maxEntries>{m}</maxEntries>")).unwrap_or_default()
            );
        };
        item(format!("com.amazonaws.{region}.s3"), "AWS", None);
        item(format!("com.amazonaws.{region}.dynamodb"), "AWS", None);
        item("partners".to_string(), account, Some(20));
        inner.push_str("</prefixListSet>");
        wire::ec2_ok(&call.operation, &inner, rid)
    }

    /// Service Quotas' `GetServiceQuota` (awsJson 1.1): the applied quota of rules per security group (raised to
    /// 100), and `NoSuchResourceException` for any other quota (no applied value: the default holds), so that a
    /// scan meets both answers in every account-region.
    fn service_quota(&self, call: &Call, account: &str, req: &Request, rid: &str) -> Answer {
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let (service, code) = (body["ServiceCode"].as_str().unwrap_or(""), body["QuotaCode"].as_str().unwrap_or(""));
        if (service, code) != ("vpc", "L-0EA8095F") {
            return wire::error(call, Failure::NoSuchResource, None, rid);
        }
        let region = &call.region;
        let out = serde_json::json!({ "Quota": {
            "ServiceCode": "vpc",
            "ServiceName": "Amazon Virtual Private Cloud (Amazon VPC)",
            "QuotaArn": format!("arn:aws:servicequotas:{region}:{account}:vpc/{code}"),
            "QuotaCode": code,
            "QuotaName": "Inbound or outbound rules per security group",
            "Value": 100.0,
            "Unit": "None",
            "Adjustable": true,
            "GlobalQuota": false,
            "QuotaAppliedAtLevel": "ACCOUNT",
        }});
        Answer::new(200, wire::json_type(false), out.to_string())
    }

    fn caller_identity(&self, call: &Call, account: &str, req: &Request, rid: &str) -> Answer {
        let (arn, user_id) = if req.security_token.as_deref().is_some_and(|t| t.starts_with(TOKEN_PREFIX)) {
            (format!("arn:aws:sts::{account}:assumed-role/{ROLE_NAME}/sgaudit"), format!("AROASIMULATED:{account}"))
        } else {
            (format!("arn:aws:iam::{account}:user/simulated"), "AIDASIMULATEDUSER".to_string())
        };
        wire::query_ok(
            call,
            &format!(
                "<GetCallerIdentityResult><Arn>{arn}</Arn><UserId>{user_id}</UserId><Account>{account}</Account>\
                 </GetCallerIdentityResult>"
            ),
            rid,
        )
    }

    fn assume_role(&self, call: &Call, req: &Request, rid: &str) -> Answer {
        let role_arn = form_value(&req.body, "RoleArn").map(percent_decode).unwrap_or_default();
        let target = role_arn
            .strip_prefix("arn:aws:iam::")
            .and_then(|rest| rest.split_once(":role/"))
            .filter(|(id, _)| self.accounts.iter().any(|a| a == id));
        let Some((id, role)) = target else {
            let message = format!("User is not authorized to perform: sts:AssumeRole on resource: {role_arn}");
            return wire::error(call, Failure::AccessDenied, Some(&xml_escape(&message)), rid);
        };
        let numeric: u64 = id.parse().unwrap_or_default();
        {
            let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
            let issued = sessions.entry(numeric).or_default();
            if *issued >= 1 && self.config.refuse_refresh.contains(&numeric) {
                drop(sessions);
                self.counters().refused_refresh += 1;
                let message = format!("User is not authorized to perform: sts:AssumeRole on resource: {role_arn}");
                return wire::error(call, Failure::AccessDenied, Some(&xml_escape(&message)), rid);
            }
            *issued += 1;
        }
        let expiry = unix_now() + self.config.session_seconds;
        let mut rng = fastrand::Rng::new();
        let suffix: String = (0..4).map(|_| rng.uppercase()).collect();
        let random: String = (0..24).map(|_| rng.alphanumeric()).collect();
        let role = xml_escape(role);
        wire::query_ok(
            call,
            &format!(
                "<AssumeRoleResult><Credentials><AccessKeyId>ASIA{id}{suffix}</AccessKeyId><SecretAccessKey>{random}\
                 </SecretAccessKey><SessionToken>{TOKEN_PREFIX}{id}.{expiry}.{random}</SessionToken><Expiration>{}\
                 </Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROASIMULATED:sgaudit</AssumedRoleId>\
                 <Arn>arn:aws:sts::{id}:assumed-role/{role}/sgaudit</Arn></AssumedRoleUser><PackedPolicySize>0\
                 </PackedPolicySize></AssumeRoleResult>",
                iso8601(expiry)
            ),
            rid,
        )
    }

    /// Organizations pages ListAccounts at 20 at most (its documented `MaxResults` limit).
    fn list_accounts(&self, call: &Call, req: &Request) -> Answer {
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let max = body.get("MaxResults").and_then(|v| v.as_u64()).unwrap_or(20).clamp(1, 20) as u32;
        let token = body.get("NextToken").and_then(|v| v.as_str());
        let Ok((start, end, next)) = page(self.accounts.len() as u32, token, Some(max), 20) else {
            return wire::error(call, Failure::InvalidNextToken, None, "sim");
        };
        let mgmt = &self.accounts[0];
        let accounts: Vec<serde_json::Value> = (start..end)
            .map(|i| {
                let id = &self.accounts[i as usize];
                serde_json::json!({
                    "Id": id,
                    "Arn": format!("arn:aws:organizations::{mgmt}:account/o-simulated01/{id}"),
                    "Email": format!("sim+{id}@example.com"),
                    "Name": if i == 0 { "management".to_string() } else { format!("member-{i}") },
                    "Status": "ACTIVE",
                    "State": "ACTIVE",
                    "JoinedMethod": if i == 0 { "INVITED" } else { "CREATED" },
                    "JoinedTimestamp": 1_600_000_000 + u64::from(i) * 3600,
                })
            })
            .collect();
        let mut out = serde_json::json!({ "Accounts": accounts });
        if let Some(next) = next {
            out["NextToken"] = serde_json::Value::String(next);
        }
        Answer::new(200, wire::json_type(false), out.to_string())
    }

    fn describe_organization(&self, _call: &Call) -> Answer {
        let mgmt = &self.accounts[0];
        let out = serde_json::json!({ "Organization": {
            "Id": "o-simulated01",
            "Arn": format!("arn:aws:organizations::{mgmt}:organization/o-simulated01"),
            "FeatureSet": "ALL",
            "MasterAccountArn": format!("arn:aws:organizations::{mgmt}:account/o-simulated01/{mgmt}"),
            "MasterAccountId": mgmt,
            "MasterAccountEmail": format!("sim+{mgmt}@example.com"),
        }});
        Answer::new(200, wire::json_type(false), out.to_string())
    }

    /// The chosen regions as enabled (`opt-in-not-required`, or `opted-in` for an opt-in region); with
    /// `AllRegions=true`, every other known region as `not-opted-in`, so that `--all-regions` scans the chosen ones.
    fn describe_regions(&self, call: &Call, req: &Request, rid: &str) -> Answer {
        let all = form_value(&req.body, "AllRegions") == Some("true");
        let mut inner = String::from("<regionInfo>");
        let mut item = |name: &str, status: &str| {
            let _ = write!(
                inner,
                "<item><regionName>{name}</regionName><regionEndpoint>ec2.{name}.amazonaws.com</regionEndpoint>\
                 <optInStatus>{status}</optInStatus></item>"
            );
        };
        for r in &self.config.regions {
            item(r, if crate::OPT_IN_REGIONS.contains(&r.as_str()) { "opted-in" } else { "opt-in-not-required" });
        }
        if all {
            for r in crate::DEFAULT_REGIONS.iter().chain(crate::OPT_IN_REGIONS) {
                if !self.config.regions.iter().any(|c| c == r) {
                    item(r, "not-opted-in");
                }
            }
        }
        inner.push_str("</regionInfo>");
        wire::ec2_ok(&call.operation, &inner, rid)
    }

    fn ec2_paged(&self, call: &Call, account: &str, req: &Request, rid: &str, listing: Listing) -> Answer {
        let estate = Estate::new(account, &call.region, self.config.shape);
        let total = match listing {
            Listing::Groups => estate.shape.groups,
            Listing::Interfaces => estate.shape.interfaces,
            Listing::Instances => estate.instances(),
            Listing::Vpcs => 1,
        };
        // Filters and id lists are not modelled: a filtered call answers nothing rather than too much.
        let filtered = form_has_prefix(&req.body, "Filter.")
            || form_has_prefix(&req.body, "GroupId.")
            || form_has_prefix(&req.body, "NetworkInterfaceId.")
            || form_has_prefix(&req.body, "InstanceId.")
            || form_has_prefix(&req.body, "VpcId.");
        let total = if filtered { 0 } else { total };
        let max = form_value(&req.body, "MaxResults").and_then(|m| m.parse().ok());
        let token = form_value(&req.body, "NextToken").map(percent_decode);
        let Ok((start, end, next)) = page(total, token.as_deref(), max, self.config.page_cap) else {
            return wire::error(call, Failure::InvalidNextToken, None, rid);
        };
        let mut inner = String::with_capacity(256 + (end - start) as usize * 900);
        inner.push_str(listing.set());
        for i in start..end {
            match listing {
                Listing::Groups => estate.write_group(&mut inner, i),
                Listing::Interfaces => estate.write_interface(&mut inner, i),
                Listing::Instances => estate.write_reservation(&mut inner, i),
                Listing::Vpcs => estate.write_vpc(&mut inner),
            }
        }
        let _ = write!(inner, "</{}", &listing.set()[1..]);
        if let Some(next) = next {
            let _ = write!(inner, "<nextToken>{next}</nextToken>");
        }
        wire::ec2_ok(&call.operation, &inner, rid)
    }

    /// A small real account's credential report: the root user only, with MFA on and no access keys.
    fn credential_report(&self, call: &Call, account: &str, rid: &str) -> Answer {
        let csv = format!(
            "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,\
             password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,\
             access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,\
             access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,\
             access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
             <root_account>,arn:aws:iam::{account}:root,2020-09-13T12:26:40+00:00,not_supported,\
             2026-11-02T09:15:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,\
             false,N/A,false,N/A"
        );
        let generated = iso8601(unix_now() - unix_now() % 3600);
        wire::query_ok(
            call,
            &format!(
                "<GetCredentialReportResult><Content>{}</Content><ReportFormat>text/csv</ReportFormat>\
                 <GeneratedTime>{generated}</GeneratedTime></GetCredentialReportResult>",
                base64(csv.as_bytes())
            ),
            rid,
        )
    }
}

#[derive(Clone, Copy)]
enum Listing {
    Groups,
    Interfaces,
    Instances,
    Vpcs,
}

impl Listing {
    /// The opening tag of the answer's list.
    fn set(self) -> &'static str {
        match self {
            Listing::Groups => "<securityGroupInfo>",
            Listing::Interfaces => "<networkInterfaceSet>",
            Listing::Instances => "<reservationSet>",
            Listing::Vpcs => "<vpcSet>",
        }
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    fn request(service: &str, key: &str, body: &str) -> Request {
        Request {
            method: "POST".into(),
            target: "/".into(),
            authorization: Some(format!(
                "AWS4-HMAC-SHA256 Credential={key}/20261201/us-east-1/{service}/aws4_request, SignedHeaders=host, \
                 Signature=0"
            )),
            content_type: Some("application/x-www-form-urlencoded; charset=utf-8".into()),
            body: body.as_bytes().to_vec(),
            ..Request::default()
        }
    }

    fn quiet(config: Config) -> Sim {
        Sim::new(Config { latency_median_ms: 0.0, ..config })
    }

    fn text(h: &Handled) -> String {
        String::from_utf8_lossy(&h.answer.body).into_owned()
    }

    #[test]
    fn distinct_requests_ignore_signatures_and_count_each_parameter_set_once() {
        let sim = quiet(Config { throttle: false, ..Config::default() });
        let mut rng = fastrand::Rng::with_seed(1);
        let a = request("ec2", "AKIDBASE", "Action=DescribeVpcs&MaxResults=1000");
        let mut a_again = a.clone();
        a_again.authorization = a.authorization.as_ref().map(|s| s.replace("Signature=0", "Signature=9"));
        let b = request("ec2", "AKIDBASE", "Action=DescribeVpcs&MaxResults=5");
        for r in [&a, &a_again, &b, &a] {
            sim.handle(r, &mut rng);
        }
        let stats = sim.stats();
        assert_eq!((stats.requests, stats.distinct), (4, 2));
        assert_eq!(stats.per_api["ec2:DescribeVpcs"].distinct, 2);
    }

    #[test]
    fn assume_role_hands_out_credentials_of_the_account_and_they_expire() {
        let sim = quiet(Config { accounts: 3, session_seconds: 0, throttle: false, ..Config::default() });
        let mut rng = fastrand::Rng::with_seed(1);
        let arn = "arn%3Aaws%3Aiam%3A%3A100000000002%3Arole%2FOrganizationAccountAccessRole";
        let h = sim.handle(&request("sts", "AKIDBASE", &format!("Action=AssumeRole&RoleArn={arn}")), &mut rng);
        let xml = text(&h);
        assert_eq!(h.answer.status, 200, "{xml}");
        let key = xml.split("<AccessKeyId>").nth(1).and_then(|s| s.split('<').next()).unwrap_or_default();
        assert!(key.starts_with("ASIA100000000002") && key.len() == 20, "{key}");
        let token = xml.split("<SessionToken>").nth(1).and_then(|s| s.split('<').next()).unwrap_or_default();

        // A session of 0 seconds has expired at once: ExpiredToken in the protocol of the call.
        let mut call = request("sts", key, "Action=GetCallerIdentity");
        call.security_token = Some(token.to_string());
        let h = sim.handle(&call, &mut rng);
        assert_eq!(h.answer.status, 403);
        assert!(text(&h).contains("<Code>ExpiredToken</Code>"));
        assert_eq!(sim.stats().expired, 1);

        // An account outside the organisation cannot be assumed.
        let outside = "arn%3Aaws%3Aiam%3A%3A999999999999%3Arole%2FX";
        let h = sim.handle(&request("sts", "AKIDBASE", &format!("Action=AssumeRole&RoleArn={outside}")), &mut rng);
        assert_eq!(h.answer.status, 403);
    }

    #[test]
    fn caller_identity_names_the_account_of_the_key() {
        let sim = quiet(Config { accounts: 3, throttle: false, ..Config::default() });
        let mut rng = fastrand::Rng::with_seed(1);
        let h = sim.handle(&request("sts", "AKIDBASE", "Action=GetCallerIdentity"), &mut rng);
        assert!(text(&h).contains("<Account>100000000000</Account>"));
        let h = sim.handle(&request("sts", "ASIA100000000001ABCD", "Action=GetCallerIdentity"), &mut rng);
        assert!(text(&h).contains("<Account>100000000001</Account>"));
    }

    #[test]
    fn refresh_is_refused_after_the_first_session_where_asked() {
        let sim =
            quiet(Config { accounts: 3, refuse_refresh: vec![100_000_000_001], throttle: false, ..Config::default() });
        let mut rng = fastrand::Rng::with_seed(1);
        let assume = |id: &str| {
            let body = format!("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A{id}%3Arole%2FR");
            request("sts", "AKIDBASE", &body)
        };
        assert_eq!(sim.handle(&assume("100000000001"), &mut rng).answer.status, 200);
        assert_eq!(sim.handle(&assume("100000000001"), &mut rng).answer.status, 403);
        assert_eq!(sim.handle(&assume("100000000002"), &mut rng).answer.status, 200);
        assert_eq!(sim.handle(&assume("100000000002"), &mut rng).answer.status, 200);
        assert_eq!(sim.stats().refused_refresh, 1);
    }

    #[test]
    fn throttling_answers_the_real_error_once_the_bucket_is_empty() {
        let sim = quiet(Config::default());
        let mut rng = fastrand::Rng::with_seed(1);
        let r = request("ec2", "AKIDBASE", "Action=DescribeSecurityGroups&MaxResults=1000");
        let statuses: Vec<u16> = (0..130).map(|_| sim.handle(&r, &mut rng).answer.status).collect();
        // EC2's non-mutating bucket holds 100; the refill over the test's few milliseconds adds at most a few.
        let ok = statuses.iter().filter(|s| **s == 200).count();
        assert!((100..=103).contains(&ok), "{ok}");
        assert!(statuses[125..].iter().all(|s| *s == 503));
        let stats = sim.stats();
        assert_eq!(stats.throttled, 130 - ok as u64);
        assert_eq!(stats.distinct, 1, "a throttled request is not a distinct answer");
        // Another region has its own bucket.
        let mut other = r.clone();
        other.authorization = r.authorization.as_ref().map(|a| a.replace("us-east-1", "eu-west-1"));
        assert_eq!(sim.handle(&other, &mut rng).answer.status, 200);
    }

    #[test]
    fn organizations_pages_accounts_by_twenty() {
        let sim = quiet(Config { accounts: 45, throttle: false, ..Config::default() });
        let mut rng = fastrand::Rng::with_seed(1);
        let mut ids = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..10 {
            let body = match &token {
                Some(t) => format!("{{\"NextToken\":\"{t}\"}}"),
                None => "{}".to_string(),
            };
            let mut r = request("organizations", "AKIDBASE", &body);
            r.amz_target = Some("AWSOrganizationsV20161128.ListAccounts".into());
            r.content_type = Some("application/x-amz-json-1.1".into());
            let out: serde_json::Value =
                serde_json::from_slice(&sim.handle(&r, &mut rng).answer.body).unwrap_or_default();
            let accounts = out["Accounts"].as_array().cloned().unwrap_or_default();
            assert!(accounts.len() <= 20);
            ids.extend(accounts.iter().filter_map(|a| a["Id"].as_str().map(str::to_string)));
            token = out["NextToken"].as_str().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        assert_eq!(ids.len(), 45);
        assert_eq!(ids[0], "100000000000", "the management account comes first");
        assert_eq!(ids[44], "100000000044");
    }

    #[test]
    fn security_groups_page_by_max_results() {
        let sim = quiet(Config { throttle: false, ..Config::default() });
        let mut rng = fastrand::Rng::with_seed(1);
        let mut seen = 0;
        let mut token = String::new();
        let mut pages = 0;
        loop {
            let body = if token.is_empty() {
                "Action=DescribeSecurityGroups&MaxResults=8".to_string()
            } else {
                format!("Action=DescribeSecurityGroups&MaxResults=8&NextToken={token}")
            };
            let xml = text(&sim.handle(&request("ec2", "AKIDBASE", &body), &mut rng));
            pages += 1;
            seen += xml.matches("<groupName>").count();
            match xml.split("<nextToken>").nth(1).and_then(|s| s.split('<').next()) {
                Some(t) => token = t.to_string(),
                None => break,
            }
        }
        assert_eq!((seen, pages), (20, 3));
    }

    #[test]
    fn regions_answer_the_chosen_ones_enabled_and_the_rest_not_opted_in() {
        let sim = quiet(Config { regions: vec!["us-east-1".into(), "eu-west-1".into()], ..Config::default() });
        let mut rng = fastrand::Rng::with_seed(1);
        let enabled =
            text(&sim.handle(&request("ec2", "AKIDBASE", "Action=DescribeRegions&AllRegions=false"), &mut rng));
        assert_eq!(enabled.matches("<regionName>").count(), 2);
        let all = text(&sim.handle(&request("ec2", "AKIDBASE", "Action=DescribeRegions&AllRegions=true"), &mut rng));
        assert_eq!(all.matches("opt-in-not-required").count(), 2);
        assert!(all.contains("<regionName>us-west-2</regionName><regionEndpoint>ec2.us-west-2.amazonaws.com</regionEndpoint><optInStatus>not-opted-in"));
    }
}
