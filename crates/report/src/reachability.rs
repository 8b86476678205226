//! Whether the internet reaches what a group guards ([`sgaudit_audit::reach::GroupReach`]), in the words
//! every report writes: the state, the paths, and why nothing is reached or what evidence was missing.

use sgaudit_audit::reach::{GroupReach, ReachState, Via};

/// Every state, most urgent first (the order reports list and sort them in).
pub const STATES: [ReachState; 4] =
    [ReachState::Reachable, ReachState::Unknown, ReachState::NotReachable, ReachState::NotExposed];

/// The state as people read it (`not reachable`).
pub fn label(state: ReachState) -> &'static str {
    match state {
        ReachState::Reachable => "reachable",
        ReachState::NotReachable => "not reachable",
        ReachState::Unknown => "unknown",
        ReachState::NotExposed => "not exposed",
    }
}

/// How a path enters, as serde spells it (`load_balancer`).
pub fn via_id(via: Via) -> &'static str {
    match via {
        Via::Direct => "direct",
        Via::LoadBalancer => "load_balancer",
        Via::Target => "target",
    }
}

/// Every way a path may enter.
pub const VIAS: [Via; 3] = [Via::Direct, Via::LoadBalancer, Via::Target];

/// Why a group with world-open rules is not reached, or, for `unknown`, what was missing: `blocked: …` and
/// `missing: …` lines, as the CSV's `reach_why` and the HTML table show them.
pub fn why(reach: &GroupReach) -> Vec<String> {
    let blocked = reach.blocked.iter().map(|b| format!("blocked: {b}"));
    blocked.chain(reach.missing.iter().map(|m| format!("missing: {m}"))).collect()
}

/// The paths' sentences.
pub fn paths(reach: &GroupReach) -> Vec<&str> {
    reach.paths.iter().map(|p| p.text.as_str()).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use sgaudit_audit::reach::{Path, PortRangeText};
    use std::borrow::Cow;

    /// A reachable group's evidence with hostile text in every sentence (a path's resource may name a
    /// load balancer or instance, whose names are anyone's).
    pub(crate) fn hostile_reach() -> GroupReach {
        let text = "tcp 22 reachable from the internet on eni-0a (=cmd|' /C calc'!A0 <script>alert(1)</script>\x1b[31m) via igw-0a";
        GroupReach {
            state: ReachState::Reachable,
            paths: vec![
                Path {
                    via: Via::Direct,
                    protocol: "tcp".into(),
                    ports: Some(PortRangeText { from: 22, to: 22 }),
                    resource: "eni-0a<script>".into(),
                    text: text.into(),
                },
                Path {
                    via: Via::LoadBalancer,
                    protocol: "tcp".into(),
                    ports: Some(PortRangeText { from: 443, to: 443 }),
                    resource: "alb/web".into(),
                    text: "=tcp 443 reachable through alb/web".into(),
                },
            ],
            blocked: vec!["eni-0b: no public address".into()],
            missing: vec![Cow::Borrowed("ec2-network-acls")],
        }
    }

    #[test]
    fn every_state_has_its_id_and_label() {
        for state in STATES {
            let spelt = serde_json::to_value(state).unwrap();
            assert_eq!(spelt, state.id());
            assert_eq!(label(state).replace(' ', "_"), state.id());
        }
        for via in VIAS {
            assert_eq!(serde_json::to_value(via).unwrap(), via_id(via));
        }
        let reach = hostile_reach();
        assert_eq!(why(&reach), ["blocked: eni-0b: no public address", "missing: ec2-network-acls"]);
        assert_eq!(paths(&reach).len(), 2);
    }
}
