//! CronJob schedules and time zones, accepted or rejected exactly as the API server does:
//! `spec.schedule` through `cron.ParseStandard` of robfig/cron v3 (five fields, or a
//! descriptor), no `TZ` anywhere in it, and `spec.timeZone` through `validateTimeZone` and
//! Go's `time.LoadLocation` (the IANA database, which the API server embeds).

/// A field of a five-field schedule: its name and bounds, and the names it accepts.
struct Field {
    name: &'static str,
    min: u64,
    max: u64,
    names: &'static [&'static str],
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// Minute, hour, day of month, month, day of week. robfig/cron bounds the day of week to
/// 0–6: `7` for Sunday is rejected.
const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day of month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: MONTHS,
    },
    Field {
        name: "day of week",
        min: 0,
        max: 6,
        names: DAYS,
    },
];

/// Why the API server rejects a schedule, or `None` when it accepts it.
pub fn schedule_problem(schedule: &str) -> Option<String> {
    if schedule.is_empty() {
        return Some("the schedule is empty".to_string());
    }
    // Validation rejects `TZ` anywhere (`TZ=` and `CRON_TZ=` prefixes) on creation.
    if schedule.contains("TZ") {
        return Some("TZ or CRON_TZ in the schedule is rejected; set spec.timeZone instead".to_string());
    }
    if schedule.starts_with('@') {
        return descriptor_problem(schedule);
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!(
            "expected exactly 5 fields (minute, hour, day of month, month, day of week), found {}",
            fields.len()
        ));
    }
    fields
        .iter()
        .zip(&FIELDS)
        .find_map(|(text, field)| field_problem(text, field).map(|why| format!("{} field `{text}`: {why}", field.name)))
}

/// `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, or
/// `@every <Go duration>`, written exactly so.
fn descriptor_problem(d: &str) -> Option<String> {
    const NAMED: &[&str] = &[
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
    ];
    if NAMED.contains(&d) {
        return None;
    }
    match d.strip_prefix("@every ") {
        Some(duration) if go_duration_valid(duration) => None,
        Some(duration) => Some(format!("`{duration}` is not a duration such as `1h30m`")),
        None => Some(format!(
            "`{d}` is not a descriptor (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>)"
        )),
    }
}

/// A comma-separated list of ranges; empty items are skipped, as `strings.FieldsFunc` does.
fn field_problem(text: &str, field: &Field) -> Option<String> {
    text.split(',')
        .filter(|r| !r.is_empty())
        .find_map(|r| range_problem(r, field).err())
}

/// `*` or `?`, a value or `a-b`, each optionally followed by `/step` (`a/step` runs from `a`
/// to the field's maximum), as robfig/cron's `getRange` reads them.
fn range_problem(expr: &str, f: &Field) -> Result<(), String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let (start, mut end) = if low_and_high[0] == "*" || low_and_high[0] == "?" {
        // What follows a star's hyphen is never read.
        (f.min, f.max)
    } else {
        let start = value(low_and_high[0], f)?;
        match low_and_high.len() {
            1 => (start, start),
            2 => (start, value(low_and_high[1], f)?),
            _ => return Err(format!("`{expr}` has too many hyphens")),
        }
    };
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = number(range_and_step[1])?;
            if low_and_high.len() == 1 {
                end = f.max;
            }
            step
        }
        _ => return Err(format!("`{expr}` has too many slashes")),
    };
    if start < f.min {
        return Err(format!("{start} is below the minimum {}", f.min));
    }
    if end > f.max {
        return Err(format!("{end} is above the maximum {}", f.max));
    }
    if start > end {
        return Err(format!("the range starts at {start}, after its end {end}"));
    }
    if step == 0 {
        return Err("the step must be a positive number".to_string());
    }
    Ok(())
}

/// A number, or a name of the field (case-insensitive three-letter month or day names).
fn value(text: &str, f: &Field) -> Result<u64, String> {
    let lower = text.to_ascii_lowercase();
    match f.names.iter().position(|n| *n == lower) {
        // Months are numbered from 1, days of the week from 0 (Sunday).
        Some(i) => Ok(i as u64 + f.min),
        None => number(text),
    }
}

/// A non-negative decimal integer as Go's `strconv.Atoi` reads it (an optional sign, then
/// digits).
fn number(text: &str) -> Result<u64, String> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` is not a number"));
    }
    let n: u64 = digits
        .parse()
        .ok()
        .filter(|n| *n <= i64::MAX as u64)
        .ok_or_else(|| format!("`{text}` is out of range"))?;
    if negative && n != 0 {
        return Err(format!("`{text}` is negative"));
    }
    Ok(n)
}

/// Whether Go's `time.ParseDuration` accepts `s`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with the
/// units ns, us, µs, μs, ms, s, m and h, or `0`, within ±2⁶³ ns.
fn go_duration_valid(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let mut rest = s;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int, after) = rest.split_at(int_len);
        let (frac_digits, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.bytes().take_while(u8::is_ascii_digit).count();
                (Some(n), &a[n..])
            }
            None => (None, after),
        };
        if int.is_empty() && frac_digits.unwrap_or(0) == 0 {
            return false;
        }
        let unit_len = after.bytes().take_while(|b| *b != b'.' && !b.is_ascii_digit()).count();
        let (unit, next) = after.split_at(unit_len);
        let nanos: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return false,
        };
        // The integer part must fit; the fraction only adds less than one unit.
        let Some(v) = int.parse::<u128>().ok().or((int.is_empty()).then_some(0)) else {
            return false;
        };
        total = total.saturating_add(v.saturating_mul(nanos));
        if total > 1 << 63 {
            return false;
        }
        rest = next;
    }
    true
}

/// Why the API server rejects a `spec.timeZone`, or `None` when it accepts it.
pub fn time_zone_problem(tz: &str) -> Option<String> {
    if tz.is_empty() {
        return Some("timeZone must be omitted or a non-empty IANA time zone name".to_string());
    }
    let part_ok = |p: &str| {
        p != "."
            && p != ".."
            && !p.starts_with('-')
            && (1..=14).contains(&p.len())
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+'))
    };
    if !tz.split('/').all(part_ok) {
        return Some(format!("`{tz}` is not a time zone name"));
    }
    if tz.eq_ignore_ascii_case("Local") {
        return Some("`Local` is not allowed: name an explicit IANA time zone".to_string());
    }
    if tz == "UTC" || tz.parse::<chrono_tz::Tz>().is_ok() {
        return None;
    }
    Some(format!("`{tz}` is not in the IANA time zone database"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_the_api_accepts() {
        for s in [
            "* * * * *",
            "*/5 * * * *",
            "0 3 * * *",
            "0 0 1 jan,JUL *",
            "0 9 * * mon-fri",
            "0 9 ? * MON",
            "15 2/3 * * *",
            "0-59/15 * * * 0",
            "1,,2 * * * *",
            ", * * * *",
            "*-7 * * * *",
            "*/61 * * * *",
            "+5 * * * *",
            "  0  0   * *\t*  ",
            "@hourly",
            "@annually",
            "@midnight",
            "@every 1h30m",
            "@every 0",
            "@every .5s",
            "@every 1.s",
            "@every -1m",
            "@every 300µs",
        ] {
            assert_eq!(schedule_problem(s), None, "{s}");
        }
    }

    #[test]
    fn schedules_the_api_rejects() {
        for s in [
            "",
            "* * * *",
            "0 0 * * * *",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "* * * * 7",
            "* * * * 0-7",
            "5-1 * * * *",
            "*/0 * * * *",
            "1-2-3 * * * *",
            "1/2/3 * * * *",
            "-1 * * * *",
            "a * * * *",
            "* * * january *",
            "* * * * sunday",
            "L * * * *",
            "@daily ",
            " @daily",
            "@Daily",
            "@reboot",
            "@every",
            "@every 1d",
            "@every 1",
            "@every .s",
            "@every 99999999999h",
            "CRON_TZ=UTC 0 0 * * *",
            "TZ=Europe/Paris @daily",
        ] {
            assert!(schedule_problem(s).is_some(), "{s}");
        }
    }

    #[test]
    fn time_zones() {
        for tz in [
            "UTC",
            "Etc/UTC",
            "Europe/Berlin",
            "America/Argentina/Buenos_Aires",
            "US/Pacific",
            "Etc/GMT+5",
        ] {
            assert_eq!(time_zone_problem(tz), None, "{tz}");
        }
        for tz in [
            "",
            "Local",
            "local",
            "Europe/Pariss",
            "europe/berlin",
            "Europe/../UTC",
            "/UTC",
            "UTC ",
        ] {
            assert!(time_zone_problem(tz).is_some(), "{tz}");
        }
    }
}
