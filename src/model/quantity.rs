//! Resource quantities (`resource.Quantity`: `100m`, `1.5Gi`, `2e3`), parsed exactly as
//! scaled integers, never floats (workload-checks.md §7).
//!
//! The grammar is apimachinery's: an optional sign, a decimal number, then one suffix: a
//! binary SI suffix (`Ki` … `Ei`), a decimal SI suffix (`n`, `u`, `m`, ``, `k`, `M`, `G`,
//! `T`, `P`, `E`) or a decimal exponent (`e3`, `E-2`).

/// A quantity in nano-units (10⁻⁹ of the unit), the finest precision the API keeps:
/// `100m` is 100,000,000. Values below a nano-unit round up, as the API server's do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(pub i128);

impl Quantity {
    /// Parses a quantity; `None` when the text is not one (or is too large to compare).
    pub fn parse(text: &str) -> Option<Quantity> {
        let s = text.trim();
        let (negative, s) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let number_len = s.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        let (number, suffix) = s.split_at(number_len);
        let (int, frac) = number.split_once('.').unwrap_or((number, ""));
        if (int.is_empty() && frac.is_empty()) || frac.contains('.') {
            return None;
        }
        // digits × 10^exp10 × 2^exp2
        let (exp10, exp2): (i32, u32) = match suffix {
            "Ki" => (0, 10),
            "Mi" => (0, 20),
            "Gi" => (0, 30),
            "Ti" => (0, 40),
            "Pi" => (0, 50),
            "Ei" => (0, 60),
            "n" => (-9, 0),
            "u" => (-6, 0),
            "m" => (-3, 0),
            "" => (0, 0),
            "k" => (3, 0),
            "M" => (6, 0),
            "G" => (9, 0),
            "T" => (12, 0),
            "P" => (15, 0),
            "E" => (18, 0),
            e if e.starts_with(['e', 'E']) => (e[1..].parse::<i32>().ok().filter(|x| x.abs() <= 40)?, 0),
            _ => return None,
        };
        let digits: String = format!("{int}{frac}");
        if digits.len() > 30 {
            return None;
        }
        let mantissa: i128 = digits.parse().ok()?;
        // Scale to nano-units: × 10^(exp10 + 9 − fraction digits).
        let scale = exp10 + 9 - frac.len() as i32;
        let mut value = mantissa.checked_mul(1i128.checked_shl(exp2)?)?;
        if scale >= 0 {
            value = value.checked_mul(10i128.checked_pow(scale as u32)?)?;
        } else {
            let div = 10i128.checked_pow((-scale) as u32)?;
            value = (value + div - 1) / div;
        }
        Some(Quantity(if negative { -value } else { value }))
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

#[cfg(test)]
mod tests {
    use super::Quantity;

    fn q(s: &str) -> i128 {
        Quantity::parse(s).unwrap_or_else(|| panic!("{s} parses")).0
    }

    #[test]
    fn suffixes_scale_exactly() {
        assert_eq!(q("100m"), 100_000_000);
        assert_eq!(q("1"), 1_000_000_000);
        assert_eq!(q("0.1"), q("100m"));
        assert_eq!(q("1Ki"), 1024 * 1_000_000_000);
        assert_eq!(q("1.5Gi"), 3 * (1i128 << 29) * 1_000_000_000);
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("1E-3"), q("1m"));
        assert_eq!(q("2G"), 2_000_000_000 * 1_000_000_000);
        assert_eq!(q("+5"), q("5"));
        assert_eq!(q("-5"), -q("5"));
        assert_eq!(q("1n"), 1);
        assert!(q("1Gi") > q("1G"));
        assert!(q("128Mi") > q("128M"));
    }

    #[test]
    fn garbage_is_not_a_quantity() {
        for s in ["", "m", "1.2.3", "1x", "Gi", "1 Gi", "1e999", "1.5.Gi"] {
            assert_eq!(Quantity::parse(s), None, "{s}");
        }
    }
}
