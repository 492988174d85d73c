//! The DNS resolver the notifier's HTTP client uses: it hands reqwest only addresses the
//! callback policy allows, so the connection goes to an address that was checked and a name
//! that resolves to a public address at submission and a private one at delivery (DNS
//! rebinding) gets nowhere. IP literals never reach a resolver; `CallbackPolicy::check_url`
//! covers those.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use exec_engine::callback_policy::{CallbackPolicy, RefusedAddress};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Resolves host names and drops the addresses the policy refuses.
#[derive(Clone, Debug)]
pub struct GuardedResolver {
    policy: CallbackPolicy,
    /// Fixed answers by lower-cased host name, like curl's `--resolve`; tests use them to
    /// point a name at a refused address without any DNS.
    overrides: HashMap<String, Vec<IpAddr>>,
}

/// Every address a host resolved to was refused: a delivery tells it from a network failure
/// by its type (it will not get better by retrying).
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to refused addresses: {}", list(.refused))]
pub struct AllRefused {
    pub host: String,
    pub refused: Vec<RefusedAddress>,
}

fn list(refused: &[RefusedAddress]) -> String {
    refused
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl GuardedResolver {
    pub fn new(policy: CallbackPolicy, overrides: HashMap<String, Vec<IpAddr>>) -> Self {
        let overrides = overrides
            .into_iter()
            .map(|(host, ips)| (host.to_ascii_lowercase(), ips))
            .collect();
        Self { policy, overrides }
    }

    /// The allowed addresses among `ips`, or an error naming each refused one.
    fn filter(&self, host: &str, ips: Vec<IpAddr>) -> Result<Vec<IpAddr>, AllRefused> {
        let (allowed, refused): (Vec<_>, Vec<_>) = ips
            .into_iter()
            .map(|ip| self.policy.check_ip(ip).map(|()| ip))
            .partition(Result::is_ok);
        if allowed.is_empty() {
            return Err(AllRefused {
                host: host.to_owned(),
                refused: refused.into_iter().filter_map(Result::err).collect(),
            });
        }
        Ok(allowed.into_iter().filter_map(Result::ok).collect())
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let key = host.to_ascii_lowercase();
        let key = key.strip_suffix('.').unwrap_or(&key);
        let fixed = self.overrides.get(key).cloned();
        let this = self.clone();
        Box::pin(async move {
            let ips: Vec<IpAddr> = match fixed {
                Some(ips) => ips,
                None => tokio::net::lookup_host((host.as_str(), 0))
                    .await?
                    .map(|addr| addr.ip())
                    .collect(),
            };
            if ips.is_empty() {
                return Err(format!("{host} resolves to no addresses").into());
            }
            // Port 0: reqwest puts in the URL's port.
            let addrs: Addrs = Box::new(
                this.filter(&host, ips)?
                    .into_iter()
                    .map(|ip| SocketAddr::new(ip, 0)),
            );
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(addrs)
        })
    }
}

/// Reads `host=ip[|ip...]` entries separated by commas, e.g.
/// `rebind.test=127.0.0.2,other.test=127.0.0.3|::1`; an empty string has none.
pub fn parse_overrides(text: &str) -> Result<HashMap<String, Vec<IpAddr>>, String> {
    let mut overrides: HashMap<String, Vec<IpAddr>> = HashMap::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (host, ips) = entry
            .split_once('=')
            .ok_or_else(|| format!("`{entry}` is not host=ip[|ip...]"))?;
        let host = host.trim().to_ascii_lowercase();
        if host.is_empty() {
            return Err(format!("`{entry}` has no host name"));
        }
        let ips = ips
            .split('|')
            .map(|ip| {
                ip.trim()
                    .parse::<IpAddr>()
                    .map_err(|_| format!("`{entry}`: `{}` is not an IP address", ip.trim()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        overrides.entry(host).or_default().extend(ips);
    }
    Ok(overrides)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn resolve(resolver: &GuardedResolver, host: &str) -> Result<Vec<SocketAddr>, String> {
        let name: Name = host.parse().unwrap();
        resolver
            .resolve(name)
            .await
            .map(Iterator::collect)
            .map_err(|err| err.to_string())
    }

    fn overrides(text: &str) -> HashMap<String, Vec<IpAddr>> {
        parse_overrides(text).unwrap()
    }

    #[tokio::test]
    async fn refused_answer_is_an_error_naming_it() {
        let resolver = GuardedResolver::new(
            CallbackPolicy::default(),
            overrides("rebind.test=127.0.0.2"),
        );
        assert_eq!(
            resolve(&resolver, "rebind.test").await.unwrap_err(),
            "rebind.test resolves only to refused addresses: 127.0.0.2 is a loopback address"
        );
        assert!(resolve(&resolver, "rebind.test")
            .await
            .unwrap_err()
            .contains("resolves only to refused addresses"));
        // Names are matched case-insensitively and without a trailing dot.
        assert!(resolve(&resolver, "ReBind.TEST.").await.is_err());
    }

    #[tokio::test]
    async fn allowed_nets_let_it_through() {
        let policy = CallbackPolicy::new(false, "127.0.0.0/8").unwrap();
        let resolver = GuardedResolver::new(policy, overrides("rebind.test=127.0.0.2"));
        assert_eq!(
            resolve(&resolver, "rebind.test").await.unwrap(),
            vec!["127.0.0.2:0".parse::<SocketAddr>().unwrap()]
        );
    }

    #[tokio::test]
    async fn mixed_answer_keeps_only_allowed_addresses() {
        let resolver = GuardedResolver::new(
            CallbackPolicy::default(),
            overrides("mixed.test=127.0.0.2|93.184.216.34"),
        );
        assert_eq!(
            resolve(&resolver, "mixed.test").await.unwrap(),
            vec!["93.184.216.34:0".parse::<SocketAddr>().unwrap()]
        );
    }

    #[tokio::test]
    async fn several_refused_addresses_are_all_named() {
        let resolver = GuardedResolver::new(
            CallbackPolicy::default(),
            overrides("meta.test=169.254.169.254|fd00::1"),
        );
        assert_eq!(
            resolve(&resolver, "meta.test").await.unwrap_err(),
            "meta.test resolves only to refused addresses: \
             169.254.169.254 is a link-local address; fd00::1 is a private address"
        );
    }

    #[test]
    fn overrides_parse() {
        let parsed = overrides(" rebind.test=127.0.0.2 , Other.Test=127.0.0.3|::1 ");
        assert_eq!(
            parsed["rebind.test"],
            vec!["127.0.0.2".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(
            parsed["other.test"],
            vec![
                "127.0.0.3".parse::<IpAddr>().unwrap(),
                "::1".parse::<IpAddr>().unwrap()
            ]
        );
        assert!(overrides("").is_empty());
        assert!(parse_overrides("rebind.test").is_err());
        assert!(parse_overrides("=127.0.0.1").is_err());
        assert!(parse_overrides("rebind.test=").is_err());
        assert!(parse_overrides("rebind.test=localhost").is_err());
    }
}
