//! Line starts of a text, for cutting snippets. Lines end as YAML (and Kubernetes' YAML
//! reader) ends them: at a line feed, a carriage return and line feed, or a lone carriage
//! return, so that line numbers agree with the parser's in every format.

pub struct LineIndex {
    /// Byte offset of the start of each line (line 1 at index 0).
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(
            memchr::memchr2_iter(b'\n', b'\r', bytes)
                .filter(|i| bytes[*i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
                .map(|i| i + 1),
        );
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// Byte range of a 1-based line, without its line break.
    pub fn line(&self, text: &str, line: u32) -> std::ops::Range<usize> {
        let i = (line.max(1) as usize - 1).min(self.starts.len() - 1);
        let start = self.starts[i];
        let mut end = self.starts.get(i + 1).map_or(self.len, |n| n - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }

    /// Byte range covering lines `first..=last`.
    pub fn lines(&self, text: &str, first: u32, last: u32) -> std::ops::Range<usize> {
        self.line(text, first).start..self.line(text, last).end
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr() {
        let text = "a: 1\r\nb: 2\rc: 3\n\nd: é\r";
        let idx = LineIndex::new(text);
        let lines: Vec<&str> = (1..=6).map(|n| &text[idx.line(text, n)]).collect();
        assert_eq!(lines, ["a: 1", "b: 2", "c: 3", "", "d: é", ""]);
        assert_eq!(&text[idx.lines(text, 2, 3)], "b: 2\rc: 3");
    }
}
