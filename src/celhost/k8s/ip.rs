//! The Kubernetes IP library (`k8s.io/apiserver/pkg/cel/library/ip.go`): `ip`, `isIP`,
//! `ip.isCanonical` and the methods of `net.IP`, with Go's `net/netip` semantics.
//! Addresses with a zone (`fe80::1%eth0`) and IPv4-mapped IPv6 addresses
//! (`::ffff:1.2.3.4`) are rejected, as the API server does.

use super::{FunctionInfo, opaque_val};
use cel::common::types::{CelBool, CelInt, CelString, Kind, Type};
use cel::{DeclarationError, Env, ExecutionError};
use std::net::IpAddr;

/// The CEL type of IP addresses.
pub(super) static IP_TYPE: Type = Type::simple_type(Kind::Opaque, "net.IP");

/// A `net.IP` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ip(pub IpAddr);

opaque_val!(Ip, IP_TYPE);

/// The functions of the library.
pub(super) const FUNCTIONS: &[FunctionInfo] = &[
    info("ip", false, &[1]),
    info("isIP", false, &[1]),
    info("ip.isCanonical", false, &[1]),
    info("family", true, &[0]),
    info("isUnspecified", true, &[0]),
    info("isLoopback", true, &[0]),
    info("isLinkLocalMulticast", true, &[0]),
    info("isLinkLocalUnicast", true, &[0]),
    info("isGlobalUnicast", true, &[0]),
    info("string", false, &[1]),
];

const fn info(name: &'static str, receiver: bool, arities: &'static [usize]) -> FunctionInfo {
    FunctionInfo {
        name,
        receiver,
        arities,
        since: 30,
        library: "ip",
    }
}

/// Registers the library on `env`.
pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(IP_TYPE.to_owned())?;
    cel::add_overload!(env, fn ip: (CelString) -> Result<Ip>)?;
    cel::add_overload!(env, fn is_ip: (CelString) -> CelBool, name = "isIP")?;
    cel::add_overload!(env, fn is_canonical: (CelString) -> Result<CelBool>,
        name = "ip.isCanonical")?;
    cel::add_member_overload!(env, fn family: (Ip) -> CelInt)?;
    cel::add_member_overload!(env, fn is_unspecified: (Ip) -> CelBool)?;
    cel::add_member_overload!(env, fn is_loopback: (Ip) -> CelBool)?;
    cel::add_member_overload!(env, fn is_link_local_multicast: (Ip) -> CelBool)?;
    cel::add_member_overload!(env, fn is_link_local_unicast: (Ip) -> CelBool)?;
    cel::add_member_overload!(env, fn is_global_unicast: (Ip) -> CelBool)?;
    cel::add_overload!(env, fn to_string: (Ip) -> CelString, name = "string",
        id = "ip_to_string")?;
    Ok(())
}

/// Parses an IP address as the API server does (`netip.ParseAddr`, no zone, not
/// IPv4-mapped).
pub(super) fn parse_ip(s: &str) -> Result<IpAddr, String> {
    if s.contains('%') {
        return Err("IP address with zone value is not allowed".to_owned());
    }
    let addr: IpAddr = s
        .parse()
        .map_err(|e| format!("IP Address {s:?} parse error during conversion from string: ParseAddr({s:?}): {e}"))?;
    if matches!(addr, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some()) {
        return Err("IPv4-mapped IPv6 address is not allowed".to_owned());
    }
    Ok(addr)
}

fn ip(s: &CelString<'_>) -> Result<Ip, ExecutionError> {
    parse_ip(s.inner())
        .map(Ip)
        .map_err(|e| ExecutionError::function_error("ip", e))
}

fn is_ip(s: &CelString<'_>) -> CelBool {
    CelBool::from(parse_ip(s.inner()).is_ok())
}

/// Whether `s` is written as `string(ip(s))` would write it.
fn is_canonical(s: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    let addr = parse_ip(s.inner()).map_err(|e| ExecutionError::function_error("ip.isCanonical", e))?;
    Ok(CelBool::from(addr.to_string() == s.inner()))
}

fn family(ip: &Ip) -> CelInt {
    CelInt::from(if ip.0.is_ipv4() { 4 } else { 6 })
}

fn is_unspecified(ip: &Ip) -> CelBool {
    CelBool::from(ip.0.is_unspecified())
}

fn is_loopback(ip: &Ip) -> CelBool {
    CelBool::from(ip.0.is_loopback())
}

/// `224.0.0.0/24`, `ff02::/16` (any flags nibble).
pub(super) fn link_local_multicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            o[0] == 224 && o[1] == 0 && o[2] == 0
        }
        IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
    }
}

/// `169.254.0.0/16`, `fe80::/10`.
pub(super) fn link_local_unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

fn is_link_local_multicast(ip: &Ip) -> CelBool {
    CelBool::from(link_local_multicast(ip.0))
}

fn is_link_local_unicast(ip: &Ip) -> CelBool {
    CelBool::from(link_local_unicast(ip.0))
}

/// Go's `IsGlobalUnicast`: not unspecified, loopback, multicast, link-local unicast or
/// the IPv4 broadcast address (private addresses are global unicast).
fn is_global_unicast(ip: &Ip) -> CelBool {
    let addr = ip.0;
    let broadcast = matches!(addr, IpAddr::V4(v4) if v4.is_broadcast());
    CelBool::from(
        !(addr.is_unspecified() || addr.is_loopback() || addr.is_multicast() || link_local_unicast(addr) || broadcast),
    )
}

fn to_string(ip: &Ip) -> CelString<'static> {
    CelString::from(ip.0.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_err, check_true};
    use cel::Value;

    #[test]
    fn parsing() {
        check(&[
            ("isIP('192.168.0.1')", Value::Bool(true)),
            ("isIP('2001:db8::abcd')", Value::Bool(true)),
            ("isIP('::1')", Value::Bool(true)),
            ("isIP('1.2.3')", Value::Bool(false)),
            ("isIP('192.168.0.1/24')", Value::Bool(false)),
            ("isIP('010.0.0.1')", Value::Bool(false)),
            ("isIP('::ffff:1.2.3.4')", Value::Bool(false)),
            ("isIP('fe80::1%eth0')", Value::Bool(false)),
            ("isIP('')", Value::Bool(false)),
        ]);
        check_err(&[
            ("ip('1.2.3')", "parse error"),
            ("ip('fe80::1%eth0')", "IP address with zone value is not allowed"),
            ("ip('::ffff:1.2.3.4')", "IPv4-mapped IPv6 address is not allowed"),
            ("ip.isCanonical('nope')", "parse error"),
        ]);
    }

    #[test]
    fn canonical_form() {
        check(&[
            ("ip.isCanonical('127.0.0.1')", Value::Bool(true)),
            ("ip.isCanonical('2001:db8::abcd')", Value::Bool(true)),
            ("ip.isCanonical('2001:DB8::ABCD')", Value::Bool(false)),
            ("ip.isCanonical('2001:db8:0:0:0:0:2:1')", Value::Bool(false)),
            ("string(ip('192.168.0.1'))", Value::from("192.168.0.1")),
            ("string(ip('2001:DB8::ABCD'))", Value::from("2001:db8::abcd")),
            ("string(ip('2001:db8:0:0:0:0:2:1'))", Value::from("2001:db8::2:1")),
        ]);
    }

    #[test]
    fn properties() {
        check(&[
            ("ip('192.168.0.1').family()", Value::Int(4)),
            ("ip('::1').family()", Value::Int(6)),
            ("ip('0.0.0.0').isUnspecified()", Value::Bool(true)),
            ("ip('::').isUnspecified()", Value::Bool(true)),
            ("ip('127.0.0.1').isUnspecified()", Value::Bool(false)),
            ("ip('127.0.0.1').isLoopback()", Value::Bool(true)),
            ("ip('127.1.2.3').isLoopback()", Value::Bool(true)),
            ("ip('::1').isLoopback()", Value::Bool(true)),
            ("ip('192.168.0.1').isLoopback()", Value::Bool(false)),
            ("ip('224.0.0.1').isLinkLocalMulticast()", Value::Bool(true)),
            ("ip('224.0.1.1').isLinkLocalMulticast()", Value::Bool(false)),
            ("ip('ff02::1').isLinkLocalMulticast()", Value::Bool(true)),
            ("ip('fd00::1').isLinkLocalMulticast()", Value::Bool(false)),
            ("ip('169.254.169.254').isLinkLocalUnicast()", Value::Bool(true)),
            ("ip('192.168.0.1').isLinkLocalUnicast()", Value::Bool(false)),
            ("ip('fe80::1').isLinkLocalUnicast()", Value::Bool(true)),
            ("ip('fd80::1').isLinkLocalUnicast()", Value::Bool(false)),
            ("ip('192.168.0.1').isGlobalUnicast()", Value::Bool(true)),
            ("ip('8.8.8.8').isGlobalUnicast()", Value::Bool(true)),
            ("ip('255.255.255.255').isGlobalUnicast()", Value::Bool(false)),
            ("ip('224.0.0.1').isGlobalUnicast()", Value::Bool(false)),
            ("ip('2001:db8::abcd').isGlobalUnicast()", Value::Bool(true)),
            ("ip('ff00::1').isGlobalUnicast()", Value::Bool(false)),
        ]);
    }

    #[test]
    fn equality() {
        check_true(&[
            "ip('127.0.0.1') == ip('127.0.0.1')",
            "ip('127.0.0.1') != ip('127.0.0.2')",
            "ip('2001:db8::1') == ip('2001:DB8:0::1')",
            "ip('::1') != ip('127.0.0.1')",
            "type(ip('::1')) == net.IP",
        ]);
    }
}
