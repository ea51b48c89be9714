//! Pod counts written as an `IntOrString` (`maxUnavailable`, `maxSurge`, `minAvailable`): a
//! number of pods or a percentage, read strictly as the API server validates them
//! (`ValidatePositiveIntOrPercent`, `IsValidPercent`) and scaled with integer arithmetic as
//! the controllers do (`intstr.GetScaledValueFromIntOrPercent`). No floats.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::fmt;

/// A number of pods, or a percentage of a pod count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    Pods(i32),
    /// `N%`; a value too large for `u32` saturates (the API reads it as above 100 %).
    Percent(u32),
}

impl Amount {
    /// Reads a value as the API validates it: a non-negative integer, or a string of digits
    /// followed by `%`. `Err` says why the API rejects it.
    pub fn parse(v: &IntOrString) -> Result<Amount, String> {
        match v {
            IntOrString::Int(n) if *n < 0 => Err(format!("{n} is negative")),
            IntOrString::Int(n) => Ok(Amount::Pods(*n)),
            IntOrString::String(s) => {
                let digits = s
                    .strip_suffix('%')
                    .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
                match digits {
                    Some(d) => Ok(Amount::Percent(d.parse().unwrap_or(u32::MAX))),
                    None => Err(format!(
                        "\"{s}\" is neither an integer nor a percentage such as \"25%\""
                    )),
                }
            }
        }
    }

    /// `0` or `0%`.
    pub fn is_zero(self) -> bool {
        matches!(self, Amount::Pods(0) | Amount::Percent(0))
    }

    /// A percentage above 100 %.
    pub fn above_100_percent(self) -> bool {
        matches!(self, Amount::Percent(p) if p > 100)
    }

    /// The number of pods out of `total`: a percentage rounded up or down, as
    /// `GetScaledValueFromIntOrPercent` rounds it.
    pub fn of(self, total: i32, round_up: bool) -> i64 {
        match self {
            Amount::Pods(n) => i64::from(n),
            Amount::Percent(p) => {
                let scaled = i64::from(p).saturating_mul(i64::from(total.max(0)));
                if round_up {
                    scaled.saturating_add(99) / 100
                } else {
                    scaled / 100
                }
            }
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Pods(n) => write!(f, "{n}"),
            Amount::Percent(p) => write!(f, "{p}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> IntOrString {
        IntOrString::String(v.to_string())
    }

    #[test]
    fn parses_strictly() {
        assert_eq!(Amount::parse(&IntOrString::Int(2)), Ok(Amount::Pods(2)));
        assert_eq!(Amount::parse(&s("25%")), Ok(Amount::Percent(25)));
        assert_eq!(Amount::parse(&s("99999999999%")), Ok(Amount::Percent(u32::MAX)));
        assert!(Amount::parse(&IntOrString::Int(-1)).is_err());
        for bad in ["2", "%", "-5%", "+5%", " 5%", "5 %", "5.5%", "five%"] {
            assert!(Amount::parse(&s(bad)).is_err(), "{bad}");
        }
        assert!(Amount::Percent(101).above_100_percent());
        assert!(!Amount::Percent(100).above_100_percent());
        assert!(Amount::Percent(0).is_zero() && Amount::Pods(0).is_zero());
    }

    #[test]
    fn scales_like_the_controllers() {
        // 25% of 3: 0.75 pods, up to 1 (surge, disruption budgets) or down to 0 (Deployment
        // maxUnavailable).
        assert_eq!(Amount::Percent(25).of(3, true), 1);
        assert_eq!(Amount::Percent(25).of(3, false), 0);
        assert_eq!(Amount::Percent(90).of(3, true), 3);
        assert_eq!(Amount::Percent(100).of(7, false), 7);
        assert_eq!(Amount::Percent(50).of(4, true), 2);
        assert_eq!(Amount::Pods(5).of(2, false), 5);
        assert_eq!(Amount::Percent(100).of(i32::MAX, true), i64::from(i32::MAX));
    }
}
