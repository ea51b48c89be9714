//! The Kubernetes CIDR library (`k8s.io/apiserver/pkg/cel/library/cidr.go`): `cidr`,
//! `isCIDR` and the methods of `net.CIDR`, with Go's `netip.ParsePrefix` semantics: the
//! address is kept as written (`192.168.0.1/24` is valid; `masked()` clears the host
//! bits), zones and IPv4-mapped IPv6 addresses are rejected.

use super::ip::{Ip, parse_ip};
use super::{FunctionInfo, opaque_val};
use cel::common::types::{CelBool, CelInt, CelString, Kind, Type};
use cel::{DeclarationError, Env, ExecutionError};
use ipnet::IpNet;

/// The CEL type of CIDRs.
pub(super) static CIDR_TYPE: Type = Type::simple_type(Kind::Opaque, "net.CIDR");

/// A `net.CIDR` value: the address as written and the prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr(pub IpNet);

opaque_val!(Cidr, CIDR_TYPE);

/// The functions of the library.
pub(super) const FUNCTIONS: &[FunctionInfo] = &[
    info("cidr", false, &[1]),
    info("isCIDR", false, &[1]),
    info("containsIP", true, &[1]),
    info("containsCIDR", true, &[1]),
    info("ip", true, &[0]),
    info("masked", true, &[0]),
    info("prefixLength", true, &[0]),
    info("string", false, &[1]),
];

const fn info(name: &'static str, receiver: bool, arities: &'static [usize]) -> FunctionInfo {
    FunctionInfo {
        name,
        receiver,
        arities,
        since: 30,
        library: "cidr",
    }
}

/// Registers the library on `env`.
pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(CIDR_TYPE.to_owned())?;
    cel::add_overload!(env, fn cidr: (CelString) -> Result<Cidr>)?;
    cel::add_overload!(env, fn is_cidr: (CelString) -> CelBool, name = "isCIDR")?;
    cel::add_member_overload!(env, fn contains_ip: (Cidr, Ip) -> CelBool, name = "containsIP")?;
    cel::add_member_overload!(env, fn contains_ip_string: (Cidr, CelString) -> Result<CelBool>,
        name = "containsIP")?;
    cel::add_member_overload!(env, fn contains_cidr: (Cidr, Cidr) -> CelBool,
        name = "containsCIDR")?;
    cel::add_member_overload!(env, fn contains_cidr_string: (Cidr, CelString) -> Result<CelBool>,
        name = "containsCIDR")?;
    cel::add_member_overload!(env, fn ip: (Cidr) -> Ip)?;
    cel::add_member_overload!(env, fn masked: (Cidr) -> Cidr)?;
    cel::add_member_overload!(env, fn prefix_length: (Cidr) -> CelInt)?;
    cel::add_overload!(env, fn to_string: (Cidr) -> CelString, name = "string",
        id = "cidr_to_string")?;
    Ok(())
}

/// Parses a CIDR as the API server does.
fn parse_cidr(s: &str) -> Result<IpNet, String> {
    let error = |why: &str| format!("network address parse error during conversion from string: {why}");
    let (addr, bits) = s
        .split_once('/')
        .ok_or_else(|| error(&format!("netip.ParsePrefix({s:?}): no '/'")))?;
    let addr = parse_ip(addr).map_err(|e| error(&e))?;
    let valid_bits = !bits.is_empty()
        && bits.len() <= 3
        && bits.bytes().all(|b| b.is_ascii_digit())
        && (bits == "0" || !bits.starts_with('0'));
    let bits: u8 = bits
        .parse()
        .ok()
        .filter(|_| valid_bits)
        .ok_or_else(|| error(&format!("netip.ParsePrefix({s:?}): bad bits after slash")))?;
    IpNet::new(addr, bits).map_err(|_| error(&format!("netip.ParsePrefix({s:?}): prefix length out of range")))
}

fn cidr(s: &CelString<'_>) -> Result<Cidr, ExecutionError> {
    parse_cidr(s.inner())
        .map(Cidr)
        .map_err(|e| ExecutionError::function_error("cidr", e))
}

fn is_cidr(s: &CelString<'_>) -> CelBool {
    CelBool::from(parse_cidr(s.inner()).is_ok())
}

fn contains_ip(c: &Cidr, ip: &Ip) -> CelBool {
    CelBool::from(c.0.contains(&ip.0))
}

fn contains_ip_string(c: &Cidr, ip: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    let ip = parse_ip(ip.inner()).map_err(|e| ExecutionError::function_error("containsIP", e))?;
    Ok(contains_ip(c, &Ip(ip)))
}

/// Whether every address of `other` is in `c`.
fn contains_cidr(c: &Cidr, other: &Cidr) -> CelBool {
    CelBool::from(other.0.prefix_len() >= c.0.prefix_len() && c.0.contains(&other.0.network()))
}

fn contains_cidr_string(c: &Cidr, other: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    let other = parse_cidr(other.inner()).map_err(|e| ExecutionError::function_error("containsCIDR", e))?;
    Ok(contains_cidr(c, &Cidr(other)))
}

fn ip(c: &Cidr) -> Ip {
    Ip(c.0.addr())
}

fn masked(c: &Cidr) -> Cidr {
    Cidr(c.0.trunc())
}

fn prefix_length(c: &Cidr) -> CelInt {
    CelInt::from(i64::from(c.0.prefix_len()))
}

fn to_string(c: &Cidr) -> CelString<'static> {
    CelString::from(format!("{}/{}", c.0.addr(), c.0.prefix_len()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_err, check_true};
    use cel::Value;

    #[test]
    fn parsing() {
        check(&[
            ("isCIDR('192.168.0.0/24')", Value::Bool(true)),
            ("isCIDR('192.168.0.1/24')", Value::Bool(true)),
            ("isCIDR('::1/128')", Value::Bool(true)),
            ("isCIDR('2001:db8::/32')", Value::Bool(true)),
            ("isCIDR('0.0.0.0/0')", Value::Bool(true)),
            ("isCIDR('192.168.0.0/33')", Value::Bool(false)),
            ("isCIDR('192.168.0.0/024')", Value::Bool(false)),
            ("isCIDR('192.168.0.0')", Value::Bool(false)),
            ("isCIDR('192.168.0.0/')", Value::Bool(false)),
            ("isCIDR('::ffff:1.2.3.4/120')", Value::Bool(false)),
            ("isCIDR('fe80::1%eth0/64')", Value::Bool(false)),
        ]);
        check_err(&[
            ("cidr('192.168.0.0/33')", "network address parse error"),
            ("cidr('::ffff:1.2.3.4/120')", "IPv4-mapped IPv6 address is not allowed"),
            ("cidr('fe80::1%eth0/64')", "zone value is not allowed"),
            ("cidr('192.168.0.0/24').containsIP('nope')", "parse error"),
        ]);
    }

    #[test]
    fn containment() {
        check(&[
            (
                "cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))",
                Value::Bool(true),
            ),
            (
                "cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))",
                Value::Bool(false),
            ),
            ("cidr('192.168.0.0/24').containsIP('192.168.0.1')", Value::Bool(true)),
            ("cidr('192.168.0.0/24').containsIP('192.168.1.1')", Value::Bool(false)),
            ("cidr('192.168.0.0/24').containsIP('::1')", Value::Bool(false)),
            ("cidr('2001:db8::/32').containsIP(ip('2001:db8::1'))", Value::Bool(true)),
            (
                "cidr('2001:db8::/32').containsIP(ip('2001:db9::1'))",
                Value::Bool(false),
            ),
            (
                "cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))",
                Value::Bool(true),
            ),
            (
                "cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.128/25'))",
                Value::Bool(true),
            ),
            (
                "cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/24'))",
                Value::Bool(true),
            ),
            (
                "cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/23'))",
                Value::Bool(false),
            ),
            (
                "cidr('192.168.0.0/24').containsCIDR('192.168.0.0/25')",
                Value::Bool(true),
            ),
            (
                "cidr('192.168.0.0/24').containsCIDR('192.168.1.0/25')",
                Value::Bool(false),
            ),
            ("cidr('192.168.0.0/24').containsCIDR('::/0')", Value::Bool(false)),
            (
                "cidr('2001:db8::/32').containsCIDR(cidr('2001:db8::/33'))",
                Value::Bool(true),
            ),
        ]);
    }

    #[test]
    fn parts() {
        check(&[
            ("cidr('192.168.0.0/24').prefixLength()", Value::Int(24)),
            ("cidr('::1/128').prefixLength()", Value::Int(128)),
            ("cidr('::1/128').ip().family()", Value::Int(6)),
            ("string(cidr('192.168.0.0/24'))", Value::from("192.168.0.0/24")),
            ("string(cidr('192.168.0.1/24'))", Value::from("192.168.0.1/24")),
            ("string(cidr('192.168.0.1/24').masked())", Value::from("192.168.0.0/24")),
            ("string(cidr('2001:DB8::1/32').masked())", Value::from("2001:db8::/32")),
            ("string(cidr('192.168.0.1/24').ip())", Value::from("192.168.0.1")),
        ]);
        check_true(&[
            "cidr('192.168.0.0/24').ip() == ip('192.168.0.0')",
            "cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')",
            "cidr('192.168.0.0/24') == cidr('192.168.0.0/24')",
            "cidr('192.168.0.1/24') != cidr('192.168.0.0/24')",
            "cidr('192.168.0.0/24').masked() == cidr('192.168.0.0/24')",
        ]);
    }
}
