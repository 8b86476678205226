//! CIDR blocks as rules name them: parsed, normalised to their network, compared by containment, and told
//! public or private.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// A CIDR block, always held as its network (`10.0.0.1/8` is kept as `10.0.0.0/8`): EC2 accepts a block
/// with host bits set and admits the whole network, so two spellings of one network are one block.
///
/// Its order is IPv4 before IPv6, then by network address, then by prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr(IpNet);

/// A peer that is not a CIDR block (`10.0.0.0/33`, `10.0.0.0`, `any`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidrError {
    pub text: String,
}

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a CIDR block", self.text)
    }
}

impl std::error::Error for CidrError {}

/// The IPv4 blocks whose addresses are not reachable from the internet, for [`Cidr::is_public`]: RFC 1918's
/// private networks, carrier-grade NAT (RFC 6598), loopback, link-local, "this network", and multicast with
/// the reserved block above it (224.0.0.0/3 = 224/4 + 240/4, the limited broadcast included). The small
/// documentation and benchmarking blocks (192.0.2.0/24, 198.18.0.0/15, ...) are left out on purpose: a rule
/// that names one is a mistake worth seeing, not a private peer.
pub const NON_PUBLIC_V4: [&str; 8] = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/3",
];

/// The IPv6 blocks whose addresses are not reachable from the internet, for [`Cidr::is_public`]: the
/// unspecified and loopback addresses, unique local (fc00::/7), link-local (fe80::/10) and multicast
/// (ff00::/8). IPv4-mapped addresses (::ffff:0:0/96) count as public: EC2 security groups never see them.
pub const NON_PUBLIC_V6: [&str; 5] = ["::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8"];

impl Cidr {
    /// Reads a block as EC2 reports it (`10.0.0.0/8`, `2001:db8::/32`), host bits cleared.
    pub fn parse(text: &str) -> Result<Cidr, CidrError> {
        IpNet::from_str(text).map(Cidr::from).map_err(|_| CidrError { text: text.to_string() })
    }

    /// The block as `ipnet` holds it (its network).
    pub fn net(&self) -> IpNet {
        self.0
    }

    pub fn is_ipv4(&self) -> bool {
        matches!(self.0, IpNet::V4(_))
    }

    pub fn prefix_len(&self) -> u8 {
        self.0.prefix_len()
    }

    /// Whether every address of `other` is in this block; never across address families.
    pub fn contains(&self, other: &Cidr) -> bool {
        self.0.contains(&other.0)
    }

    pub fn contains_addr(&self, addr: IpAddr) -> bool {
        self.0.contains(&addr)
    }

    /// Every address of its family: 0.0.0.0/0 or ::/0.
    pub fn is_world(&self) -> bool {
        self.0.prefix_len() == 0
    }

    /// The first address of the block (its network address).
    pub fn first(&self) -> IpAddr {
        self.0.network()
    }

    /// The last address of the block (for IPv4, its broadcast address).
    pub fn last(&self) -> IpAddr {
        self.0.broadcast()
    }

    /// Whether the block holds at least one address outside [`NON_PUBLIC_V4`] or [`NON_PUBLIC_V6`]: a rule
    /// that names it reaches, or is reached from, the internet. 0.0.0.0/0 and 8.0.0.0/7 are public;
    /// 10.1.0.0/16 is not, nor is 172.16.0.0/12 (it lies wholly in the private blocks).
    pub fn is_public(&self) -> bool {
        let (first, last) = (number(self.first()), number(self.last()));
        let table: &[Span] = if self.is_ipv4() { &NON_PUBLIC.0 } else { &NON_PUBLIC.1 };
        !covered(first, last, table)
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Cidr, CidrError> {
        Cidr::parse(text)
    }
}

impl From<IpNet> for Cidr {
    fn from(net: IpNet) -> Cidr {
        Cidr(net.trunc())
    }
}

impl From<Ipv4Net> for Cidr {
    fn from(net: Ipv4Net) -> Cidr {
        Cidr::from(IpNet::V4(net))
    }
}

impl From<Ipv6Net> for Cidr {
    fn from(net: Ipv6Net) -> Cidr {
        Cidr::from(IpNet::V6(net))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An address as a number, IPv4 and IPv6 alike (the family is known from elsewhere).
fn number(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// Addresses `first..=last`, as numbers.
type Span = (u128, u128);

/// The non-public blocks of each family (IPv4, IPv6) as sorted, merged spans, built once.
static NON_PUBLIC: std::sync::LazyLock<(Vec<Span>, Vec<Span>)> =
    std::sync::LazyLock::new(|| (intervals(&NON_PUBLIC_V4), intervals(&NON_PUBLIC_V6)));

fn intervals(blocks: &[&str]) -> Vec<Span> {
    let mut spans: Vec<Span> =
        blocks.iter().filter_map(|b| Cidr::parse(b).ok()).map(|c| (number(c.first()), number(c.last()))).collect();
    spans.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for (first, last) in spans {
        match merged.last_mut() {
            Some(prev) if first <= prev.1.saturating_add(1) => prev.1 = prev.1.max(last),
            _ => merged.push((first, last)),
        }
    }
    merged
}

/// Whether `first..=last` lies wholly in the union of `merged` (sorted, disjoint, not adjacent).
fn covered(first: u128, last: u128, merged: &[Span]) -> bool {
    merged.iter().any(|&(a, b)| a <= first && last <= b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Cidr {
        Cidr::parse(text).unwrap()
    }

    #[test]
    fn parses_both_families_and_clears_host_bits() {
        assert_eq!(cidr("10.0.0.1/8").to_string(), "10.0.0.0/8");
        assert_eq!(cidr("10.0.0.1/8"), cidr("10.0.0.0/8"));
        assert_eq!("10.0.0.1/8".parse::<Cidr>(), Ok(cidr("10.0.0.0/8")));
        assert_eq!(Cidr::from(IpNet::from_str("10.9.8.7/16").unwrap()).to_string(), "10.9.0.0/16");
        assert_eq!(cidr("2001:db8::1/32").to_string(), "2001:db8::/32");
        assert_eq!(cidr("192.168.1.7/32").to_string(), "192.168.1.7/32");
        assert!(cidr("10.0.0.0/8").is_ipv4() && !cidr("::/0").is_ipv4());
        assert_eq!(cidr("10.0.0.0/8").prefix_len(), 8);
        assert_eq!(cidr("2001:db8::/32").prefix_len(), 32);
        assert_eq!(cidr("10.1.2.3/16").first(), "10.1.0.0".parse::<IpAddr>().unwrap());
        assert_eq!(cidr("10.1.2.3/16").last(), "10.1.255.255".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn what_is_not_a_block_is_an_error_naming_it() {
        for bad in ["10.0.0.0/33", "10.0.0.0", "::/129", "any", "", "10.0.0.0/8 "] {
            let err = Cidr::parse(bad).unwrap_err();
            assert_eq!(err.text, bad);
            assert!(err.to_string().contains("is not a CIDR block"), "{err}");
        }
    }

    #[test]
    fn containment_within_a_family_only() {
        assert!(cidr("10.0.0.0/8").contains(&cidr("10.1.0.0/16")));
        assert!(!cidr("10.1.0.0/16").contains(&cidr("10.0.0.0/8")));
        assert!(cidr("10.0.0.0/8").contains(&cidr("10.0.0.0/8")));
        assert!(!cidr("10.0.0.0/8").contains(&cidr("11.0.0.0/8")));
        assert!(cidr("0.0.0.0/0").contains(&cidr("203.0.113.9/32")));
        assert!(cidr("2001:db8::/32").contains(&cidr("2001:db8:1::/48")));
        assert!(!cidr("2001:db8:1::/48").contains(&cidr("2001:db8::/32")));
        assert!(!cidr("0.0.0.0/0").contains(&cidr("::/128")), "no block holds another family's");
        assert!(!cidr("::/0").contains(&cidr("10.0.0.0/8")));
        assert!(cidr("10.0.0.0/8").contains_addr("10.255.255.255".parse().unwrap()));
        assert!(!cidr("10.0.0.0/8").contains_addr("11.0.0.0".parse().unwrap()));
    }

    #[test]
    fn the_world_is_prefix_zero_in_either_family() {
        assert!(cidr("0.0.0.0/0").is_world());
        assert!(cidr("::/0").is_world());
        assert!(cidr("10.0.0.0/0").is_world(), "host bits of a /0 are cleared");
        assert!(!cidr("0.0.0.0/1").is_world());
        assert!(!cidr("::/1").is_world());
    }

    #[test]
    fn public_means_one_address_outside_the_private_and_special_blocks() {
        for public in [
            "0.0.0.0/0",
            "8.0.0.0/7",
            "203.0.113.0/24",
            "8.8.8.8/32",
            "172.15.255.255/32",
            "172.32.0.0/32",
            "100.128.0.0/32",
            "192.167.255.255/32",
            "223.255.255.255/32",
            "160.0.0.0/3",
            "172.0.0.0/8",
            "::/0",
            "2001:db8::/32",
            "2000::/3",
            "::2/128",
            "fe00::/9",
        ] {
            assert!(cidr(public).is_public(), "{public} is public");
        }
        for private in [
            "10.1.0.0/16",
            "10.0.0.0/8",
            "172.16.0.0/12",
            "172.31.255.255/32",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "127.0.0.1/32",
            "169.254.169.254/32",
            "0.0.0.0/8",
            "224.0.0.0/4",
            "224.0.0.0/3",
            "255.255.255.255/32",
            "fc00::/7",
            "fd12:3456::/32",
            "fe80::/10",
            "::1/128",
            "::/128",
            "ff02::1/128",
        ] {
            assert!(!cidr(private).is_public(), "{private} is not public");
        }
    }

    #[test]
    fn the_non_public_tables_parse_and_merge() {
        assert_eq!(intervals(&NON_PUBLIC_V4).len(), 8, "none of the v4 blocks touch");
        // ::/128 and ::1/128 are adjacent: one span.
        assert_eq!(intervals(&NON_PUBLIC_V6).len(), 4);
        assert!(NON_PUBLIC_V4.iter().chain(NON_PUBLIC_V6.iter()).all(|b| Cidr::parse(b).is_ok()));
    }
}
