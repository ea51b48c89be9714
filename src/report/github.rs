//! GitHub Actions workflow commands: one annotation per finding.
//!
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::message`, with `notice` for
//! info findings. Property values escape `%`, CR, LF, `:` and `,`; the message escapes `%`,
//! CR and LF (as the Actions toolkit does).

use super::ReportCx;
use crate::engine::Severity;
use std::io::{self, Write};

pub fn render(cx: &ReportCx<'_>, w: &mut dyn Write) -> io::Result<()> {
    for f in &cx.outcome.findings {
        let loc = f.loc();
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let s = loc.span;
        // Positions in rendered output (a Helm template) are not lines of the file.
        let at = if cx.files.get(loc.file).rendered {
            String::new()
        } else {
            format!(
                ",line={},col={},endLine={},endColumn={}",
                s.start.line, s.start.col, s.end.line, s.end.col
            )
        };
        writeln!(
            w,
            "::{command} file={}{at},title={}::{}",
            property(cx.files.display(loc.file)),
            property(&format!("plimsoll({})", f.rule)),
            data(&f.message),
        )?;
    }
    Ok(())
}

/// Escapes a workflow command's message.
pub fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50% of\r\nlines"), "50%25 of%0D%0Alines");
        assert_eq!(property("a:b,c%d\n"), "a%3Ab%2Cc%25d%0A");
    }
}
