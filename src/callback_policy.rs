//! Which callback URLs the notifier may POST to.
//!
//! A `callback_url` is chosen by the client, so without a guard the notifier would send
//! requests wherever a client points it: the cloud metadata service, the NATS monitoring
//! port, anything on the private network. Only globally routable unicast addresses are
//! allowed. A URL is checked when it is submitted (IP literals and well-known local names)
//! and its host name again at delivery, after resolution, so DNS rebinding cannot get past.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use thiserror::Error;
use url::{Host, Url};

/// What may be called back. The default allows public addresses only.
#[derive(Clone, Debug, Default)]
pub struct CallbackPolicy {
    /// Allow every address and name: for development, where the receiver runs locally.
    allow_private: bool,
    /// Networks allowed although not public, e.g. a test receiver on loopback.
    allowed_nets: Vec<IpNet>,
}

/// The policy's settings, read from the environment by every service that checks
/// callback URLs (the gateway at submission, the notifier at delivery).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct CallbackSettings {
    /// `CALLBACK_ALLOW_PRIVATE`: allow every address, for development on one machine.
    #[serde(default)]
    pub callback_allow_private: bool,
    /// `CALLBACK_ALLOW_NETS`: networks allowed although not public (`127.0.0.0/8,::1`).
    #[serde(default)]
    pub callback_allow_nets: String,
}

impl CallbackSettings {
    pub fn policy(&self) -> Result<CallbackPolicy, PolicyError> {
        CallbackPolicy::new(self.callback_allow_private, &self.callback_allow_nets)
    }
}

/// A bad `CALLBACK_ALLOW_NETS` setting.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("CALLBACK_ALLOW_NETS: `{0}` is not an IP network")]
    BadNet(String),
}

/// Why a `callback_url` is refused; the text is meant for the API client.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CallbackUrlError {
    #[error("callback_url is not a valid URL: {0}")]
    Invalid(#[from] url::ParseError),
    #[error("callback_url must use http or https, not `{0}`")]
    Scheme(String),
    #[error("callback_url has no host")]
    NoHost,
    #[error("callback_url must not carry a user name or password")]
    Credentials,
    #[error(
        "callback_url points to {}, {} {} address; callbacks go to public addresses only",
        .0.ip, article(.0.kind), .0.kind
    )]
    Address(RefusedAddress),
    #[error(
        "callback_url points to {0}, a local or cloud metadata host; \
         callbacks go to public addresses only"
    )]
    Host(String),
}

/// An address callbacks may not go to, and what kind of address it is.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[error("{ip} is {} {kind} address", article(.kind))]
pub struct RefusedAddress {
    pub ip: IpAddr,
    /// "loopback", "private", "link-local", "multicast", "unspecified", "reserved", ...
    pub kind: &'static str,
}

fn article(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Names that reach this machine or the cloud metadata service without looking private.
const LOCAL_NAMES: &[&str] = &[
    "localhost",
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data",
    "instance-data.ec2.internal",
];

impl CallbackPolicy {
    /// `allowed_nets` is a comma-separated list of CIDRs or bare addresses (one host each).
    pub fn new(allow_private: bool, allowed_nets: &str) -> Result<Self, PolicyError> {
        let allowed_nets = allowed_nets
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| PolicyError::BadNet(entry.to_owned()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            allow_private,
            allowed_nets,
        })
    }

    /// Parses `raw` and refuses what can be refused before resolution: other schemes,
    /// credentials (they would be sent on to whatever the host is), non-public IP literals and
    /// local names. Other host names are left to the resolver at delivery.
    pub fn check_url(&self, raw: &str) -> Result<Url, CallbackUrlError> {
        // WHATWG parsing turns `2852039166`, `0xA9FEA9FE`, `127.1` etc. into IPv4 hosts, so the
        // address checked here is the one a client would connect to.
        let url = Url::parse(raw)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(CallbackUrlError::Scheme(url.scheme().to_owned()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(CallbackUrlError::Credentials);
        }
        match url.host() {
            None => return Err(CallbackUrlError::NoHost),
            Some(Host::Domain("")) => return Err(CallbackUrlError::NoHost),
            Some(Host::Domain(name)) => {
                // `localhost` is loopback, allowed where loopback is (`make up`'s profile).
                if is_loopback_name(name) {
                    self.check_ip(IpAddr::V4(Ipv4Addr::LOCALHOST))
                        .map_err(|_| CallbackUrlError::Host(name.to_owned()))?;
                } else if !self.allow_private && is_local_name(name) {
                    return Err(CallbackUrlError::Host(name.to_owned()));
                }
            }
            Some(Host::Ipv4(ip)) => self
                .check_ip(IpAddr::V4(ip))
                .map_err(CallbackUrlError::Address)?,
            Some(Host::Ipv6(ip)) => self
                .check_ip(IpAddr::V6(ip))
                .map_err(CallbackUrlError::Address)?,
        }
        Ok(url)
    }

    /// Allows `ip` if private addresses are allowed, if an allowed network holds it, or if it
    /// is globally routable unicast.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), RefusedAddress> {
        if self.allow_private || self.is_allowed_net(ip) {
            return Ok(());
        }
        match refused_kind(ip) {
            Some(kind) => Err(RefusedAddress { ip, kind }),
            None => Ok(()),
        }
    }

    fn is_allowed_net(&self, ip: IpAddr) -> bool {
        // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; an IPv4 allowance covers both.
        let mapped = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        self.allowed_nets
            .iter()
            .any(|net| net.contains(&ip) || mapped.is_some_and(|v4| net.contains(&v4)))
    }
}

fn is_loopback_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix('.').unwrap_or(&name);
    name == "localhost" || name.ends_with(".localhost")
}

fn is_local_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix('.').unwrap_or(&name);
    name.ends_with(".localhost") || LOCAL_NAMES.contains(&name)
}

/// IPv4 ranges that are not globally routable unicast (IANA special-purpose registry).
/// An explicit table because std's `is_global` is unstable.
const V4_REFUSED: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "unspecified"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private"),
    (Ipv4Addr::new(100, 64, 0, 0), 10, "shared (CGNAT)"),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback"),
    (Ipv4Addr::new(169, 254, 0, 0), 16, "link-local"),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private"),
    (Ipv4Addr::new(192, 0, 0, 0), 24, "reserved"),
    (Ipv4Addr::new(192, 0, 2, 0), 24, "documentation"),
    (Ipv4Addr::new(192, 88, 99, 0), 24, "reserved"),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private"),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking"),
    (Ipv4Addr::new(198, 51, 100, 0), 24, "documentation"),
    (Ipv4Addr::new(203, 0, 113, 0), 24, "documentation"),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast"),
    (Ipv4Addr::new(255, 255, 255, 255), 32, "broadcast"),
    (Ipv4Addr::new(240, 0, 0, 0), 4, "reserved"),
];

/// IPv6 ranges refused outright; forms embedding an IPv4 address are handled before these, and
/// everything outside 2000::/3 (the only global unicast space allocated) after them.
#[rustfmt::skip]
const V6_REFUSED: &[(Ipv6Addr, u8, &str)] = &[
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64, "discard-only"),
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48, "local-use NAT64"),
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32, "Teredo"),
    (Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 0), 48, "benchmarking"),
    (Ipv6Addr::new(0x2001, 0x10, 0, 0, 0, 0, 0, 0), 28, "reserved"),
    (Ipv6Addr::new(0x2001, 0x20, 0, 0, 0, 0, 0, 0), 28, "reserved"),
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32, "documentation"),
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20, "documentation"),
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7, "private"),
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, "link-local"),
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, "site-local"),
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, "multicast"),
];

const V6_GLOBAL_UNICAST: (Ipv6Addr, u8) = (Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3);

/// What kind of non-public address `ip` is, or `None` if it is globally routable unicast.
fn refused_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_refused_kind(v4),
        IpAddr::V6(v6) => v6_refused_kind(v6),
    }
}

fn v4_refused_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let bits = ip.to_bits();
    V4_REFUSED
        .iter()
        .find(|(net, len, _)| prefix_matches(bits.into(), net.to_bits().into(), *len, 32))
        .map(|(_, _, kind)| *kind)
}

fn v6_refused_kind(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    // These reach (or are translated to) the embedded IPv4 address, so its rules apply.
    if let Some(v4) = embedded_ipv4(ip) {
        return v4_refused_kind(v4);
    }
    let bits = ip.to_bits();
    if let Some((_, _, kind)) = V6_REFUSED
        .iter()
        .find(|(net, len, _)| prefix_matches(bits, net.to_bits(), *len, 128))
    {
        return Some(kind);
    }
    let (global, len) = V6_GLOBAL_UNICAST;
    (!prefix_matches(bits, global.to_bits(), len, 128)).then_some("reserved")
}

/// The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96),
/// NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address.
fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = ip.to_bits();
    let low32 = Ipv4Addr::from_bits(bits as u32);
    let mapped = Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0).to_bits();
    let nat64 = Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0).to_bits();
    let six_to_four = Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0).to_bits();
    if prefix_matches(bits, mapped, 96, 128)
        || prefix_matches(bits, 0, 96, 128)
        || prefix_matches(bits, nat64, 96, 128)
    {
        Some(low32)
    } else if prefix_matches(bits, six_to_four, 16, 128) {
        Some(Ipv4Addr::from_bits((bits >> 80) as u32))
    } else {
        None
    }
}

/// Whether the first `len` of `width` bits of `addr` and `net` agree.
fn prefix_matches(addr: u128, net: u128, len: u8, width: u32) -> bool {
    len == 0 || (addr ^ net) >> (width - u32::from(len)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFUSED_BY_DEFAULT: &[&str] = &[
        "http://169.254.169.254/",
        "http://[::ffff:169.254.169.254]/",
        "http://2852039166/",
        "http://0xA9FEA9FE/",
        "http://10.0.0.1/",
        "http://[fd00::1]/",
        "http://127.1/",
        "http://0x7f.0.0.01/",
        "http://[::1]/",
        "http://user:password@example.com/",
        "http://localhost:5001/cb",
        "http://LOCALHOST./",
        "http://metadata.google.internal/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://224.0.0.1/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:a9fe:a9fe::1]/",
        "ftp://example.com/",
    ];

    const ACCEPTED_BY_DEFAULT: &[&str] = &[
        "https://example.com/hook",
        "http://93.184.216.34/x",
        "http://[2606:4700::1111]/",
    ];

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn default_refuses_non_public_targets() {
        let policy = CallbackPolicy::default();
        for raw in REFUSED_BY_DEFAULT {
            let err = policy.check_url(raw).expect_err(raw);
            assert!(err.to_string().contains("callback_url"), "{raw}: {err}");
        }
    }

    #[test]
    fn default_accepts_public_targets() {
        let policy = CallbackPolicy::default();
        for raw in ACCEPTED_BY_DEFAULT {
            let url = policy
                .check_url(raw)
                .unwrap_or_else(|err| panic!("{raw}: {err}"));
            assert_eq!(url.as_str(), *raw);
        }
    }

    #[test]
    fn numeric_hosts_are_normalized_before_the_check() {
        let policy = CallbackPolicy::default();
        for (raw, expected) in [
            ("http://2852039166/", "169.254.169.254"),
            ("http://0xA9FEA9FE/", "169.254.169.254"),
            ("http://127.1/", "127.0.0.1"),
            ("http://0x7f.0.0.01/", "127.0.0.1"),
        ] {
            match policy.check_url(raw) {
                Err(CallbackUrlError::Address(refused)) => assert_eq!(refused.ip, ip(expected)),
                other => panic!("{raw}: {other:?}"),
            }
        }
    }

    #[test]
    fn messages_name_the_address_and_its_kind() {
        let policy = CallbackPolicy::default();
        assert_eq!(
            policy
                .check_url("http://169.254.169.254/")
                .unwrap_err()
                .to_string(),
            "callback_url points to 169.254.169.254, a link-local address; \
             callbacks go to public addresses only"
        );
        assert_eq!(
            policy.check_url("http://[::]/").unwrap_err().to_string(),
            "callback_url points to ::, an unspecified address; \
             callbacks go to public addresses only"
        );
        assert_eq!(
            policy.check_url("http://user:password@example.com/"),
            Err(CallbackUrlError::Credentials)
        );
        assert_eq!(
            policy.check_url("http://:secret@example.com/"),
            Err(CallbackUrlError::Credentials)
        );
        assert_eq!(
            policy.check_url("ftp://example.com/"),
            Err(CallbackUrlError::Scheme("ftp".to_owned()))
        );
        assert_eq!(
            policy.check_url("http://LOCALHOST./"),
            Err(CallbackUrlError::Host("localhost.".to_owned()))
        );
        assert_eq!(
            RefusedAddress {
                ip: ip("169.254.169.254"),
                kind: "link-local"
            }
            .to_string(),
            "169.254.169.254 is a link-local address"
        );
    }

    #[test]
    fn ip_kinds() {
        let policy = CallbackPolicy::default();
        for (addr, kind) in [
            ("0.1.2.3", "unspecified"),
            ("10.1.2.3", "private"),
            ("100.64.0.1", "shared (CGNAT)"),
            ("100.127.255.255", "shared (CGNAT)"),
            ("127.0.0.2", "loopback"),
            ("169.254.0.1", "link-local"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.0.0.8", "reserved"),
            ("192.0.2.1", "documentation"),
            ("192.168.1.1", "private"),
            ("198.18.0.1", "benchmarking"),
            ("198.19.255.255", "benchmarking"),
            ("198.51.100.1", "documentation"),
            ("203.0.113.1", "documentation"),
            ("239.255.255.250", "multicast"),
            ("240.0.0.1", "reserved"),
            ("255.255.255.255", "broadcast"),
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("fc00::1", "private"),
            ("fe80::1", "link-local"),
            ("fec0::1", "site-local"),
            ("ff02::1", "multicast"),
            ("2001:db8::1", "documentation"),
            ("100::1", "discard-only"),
            ("2001:0:4136:e378::1", "Teredo"),
            ("::ffff:10.0.0.1", "private"),
            ("::127.0.0.1", "loopback"),
            ("64:ff9b::7f00:1", "loopback"),
            ("2002:c0a8:0101::1", "private"),
            ("4000::1", "reserved"),
        ] {
            assert_eq!(
                policy.check_ip(ip(addr)),
                Err(RefusedAddress { ip: ip(addr), kind })
            );
        }
        for addr in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "223.255.255.255",
            "2606:4700::1111",
            "::ffff:93.184.216.34",
            "64:ff9b::5db8:d822",
            "2002:5db8:d822::1",
        ] {
            assert_eq!(policy.check_ip(ip(addr)), Ok(()), "{addr}");
        }
    }

    #[test]
    fn allowed_nets_open_only_those_networks() {
        let policy = CallbackPolicy::new(false, "127.0.0.0/8, ::1").unwrap();
        assert!(policy.check_url("http://127.0.0.1:5001/").is_ok());
        assert!(policy.check_url("http://[::1]:9/").is_ok());
        assert!(policy.check_url("http://10.0.0.1/").is_err());
        // A dual-stack view of an allowed IPv4 address is allowed too.
        assert_eq!(policy.check_ip(ip("::ffff:127.0.0.5")), Ok(()));
        // localhost is loopback wherever loopback is allowed; metadata names never are.
        assert!(policy.check_url("http://localhost:5001/callback").is_ok());
        assert!(policy
            .check_url("http://metadata.google.internal/")
            .is_err());

        let policy = CallbackPolicy::new(false, " 10.1.2.3 ,fd00::/8,").unwrap();
        assert_eq!(policy.check_ip(ip("10.1.2.3")), Ok(()));
        assert!(policy.check_ip(ip("10.1.2.4")).is_err());
        assert_eq!(policy.check_ip(ip("fd12::1")), Ok(()));
    }

    #[test]
    fn allow_private_allows_all_but_bad_urls() {
        let policy = CallbackPolicy::new(true, "").unwrap();
        for raw in REFUSED_BY_DEFAULT.iter().chain(ACCEPTED_BY_DEFAULT) {
            let result = policy.check_url(raw);
            match *raw {
                "http://user:password@example.com/" | "ftp://example.com/" => {
                    assert!(result.is_err(), "{raw}")
                }
                _ => assert!(result.is_ok(), "{raw}: {result:?}"),
            }
        }
    }

    #[test]
    fn settings_build_the_policy() {
        let settings = CallbackSettings {
            callback_allow_private: false,
            callback_allow_nets: "127.0.0.0/8".to_owned(),
        };
        let policy = settings.policy().unwrap();
        assert!(policy.check_url("http://127.0.0.1:5001/").is_ok());
        assert!(policy.check_url("http://10.0.0.1/").is_err());
        assert!(CallbackSettings::default()
            .policy()
            .unwrap()
            .check_url("http://[::1]/")
            .is_err());
    }

    #[test]
    fn bad_allowed_nets_are_named() {
        assert_eq!(
            CallbackPolicy::new(false, "nonsense").unwrap_err(),
            PolicyError::BadNet("nonsense".to_owned())
        );
        assert_eq!(
            CallbackPolicy::new(false, "127.0.0.0/8,10.0.0.0/33")
                .unwrap_err()
                .to_string(),
            "CALLBACK_ALLOW_NETS: `10.0.0.0/33` is not an IP network"
        );
        assert!(CallbackPolicy::new(false, "")
            .unwrap()
            .allowed_nets
            .is_empty());
        assert!(CallbackPolicy::new(false, " , ")
            .unwrap()
            .allowed_nets
            .is_empty());
    }
}
