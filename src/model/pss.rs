//! Pod Security Standards levels and policy versions (pss.md §1.2, §3.1).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PssLevel {
    Privileged,
    Baseline,
    Restricted,
}

impl PssLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PssLevel::Privileged => "privileged",
            PssLevel::Baseline => "baseline",
            PssLevel::Restricted => "restricted",
        }
    }
}

impl FromStr for PssLevel {
    type Err = String;

    /// Exactly `privileged`, `baseline` or `restricted` (case-sensitive, as the namespace
    /// labels are).
    fn from_str(s: &str) -> Result<PssLevel, String> {
        match s {
            "privileged" => Ok(PssLevel::Privileged),
            "baseline" => Ok(PssLevel::Baseline),
            "restricted" => Ok(PssLevel::Restricted),
            _ => Err(format!(
                "`{s}` is not a Pod Security level (privileged, baseline, restricted)"
            )),
        }
    }
}

impl fmt::Display for PssLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy version: `latest` or `v1.<minor>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PssVersion {
    Latest,
    V1(u32),
}

impl PssVersion {
    /// The newest policy version whose checks plimsoll implements.
    pub const NEWEST: u32 = 37;

    /// The minor version the checks are evaluated at: `latest` and too-new versions clamp to
    /// `max_minor` (the newest rules shipped, or the target cluster's minor).
    pub fn effective_minor(self, max_minor: u32) -> u32 {
        match self {
            PssVersion::Latest => max_minor,
            PssVersion::V1(m) => m.min(max_minor),
        }
    }
}

impl FromStr for PssVersion {
    type Err = String;

    /// `latest` or `v1.<minor>` with no leading zero (`^v1\.(0|[1-9][0-9]*)$`).
    fn from_str(s: &str) -> Result<PssVersion, String> {
        if s == "latest" {
            return Ok(PssVersion::Latest);
        }
        let bad = || format!("`{s}` is not a Pod Security version (`latest` or `v1.<minor>`, e.g. `v1.30`)");
        let minor = s.strip_prefix("v1.").ok_or_else(bad)?;
        if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) || (minor.len() > 1 && minor.starts_with('0'))
        {
            return Err(bad());
        }
        minor.parse().map(PssVersion::V1).map_err(|_| bad())
    }
}

impl fmt::Display for PssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PssVersion::Latest => f.write_str("latest"),
            PssVersion::V1(m) => write!(f, "v1.{m}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_like_the_namespace_labels() {
        assert_eq!("latest".parse(), Ok(PssVersion::Latest));
        assert_eq!("v1.0".parse(), Ok(PssVersion::V1(0)));
        assert_eq!("v1.29".parse(), Ok(PssVersion::V1(29)));
        for bad in ["1.29", "v1.29.0", "v1.029", "v2.0", "v1.", "Latest"] {
            assert!(bad.parse::<PssVersion>().is_err(), "{bad}");
        }
        assert_eq!(PssVersion::V1(99).effective_minor(37), 37);
        assert_eq!(PssVersion::Latest.effective_minor(33), 33);
    }
}
