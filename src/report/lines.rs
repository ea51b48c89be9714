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
            bytes
                .iter()
                .enumerate()
                .filter(|(i, b)| **b == b'\n' || (**b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
                .map(|(i, _)| i + 1),
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
