//! The message after `DATA`, line by line: the end marker, dot-unstuffing (RFC 5321
//! §4.5.2), the size limit (the rest is read and dropped, so the session stays in step),
//! the line-length limit and bare LF.

/// What was read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataOutcome {
    /// The message, dot-unstuffed, up to the size limit.
    pub message: Vec<u8>,
    /// More than the size limit was sent.
    pub too_large: bool,
    /// A line longer than the limit was sent.
    pub long_line: bool,
    /// A line ended with LF alone.
    pub bare_lf: bool,
}

/// Collects the lines of one message.
#[derive(Debug)]
pub struct DataReader {
    /// What has been read so far.
    outcome: DataOutcome,
    /// Largest message kept.
    max_size: usize,
    /// Longest line, CRLF included.
    max_line: usize,
}

impl DataReader {
    /// A reader with these limits.
    pub fn new(max_size: usize, max_line: usize) -> Self {
        Self {
            outcome: DataOutcome::default(),
            max_size,
            max_line,
        }
    }

    /// One line as read (its LF included; `too_long` when the connection cut it). True
    /// when it was the end marker.
    pub fn line(&mut self, line: &[u8], too_long: bool) -> bool {
        if line == b".\r\n" {
            return true;
        }
        if too_long || line.len() > self.max_line {
            self.outcome.long_line = true;
        }
        if line.ends_with(b"\n") && !line.ends_with(b"\r\n") {
            self.outcome.bare_lf = true;
        }
        let line = line.strip_prefix(b".").unwrap_or(line);
        if self.outcome.message.len() + line.len() > self.max_size {
            self.outcome.too_large = true;
        } else {
            self.outcome.message.extend_from_slice(line);
        }
        false
    }

    /// The outcome, once the end marker was seen.
    pub fn finish(self) -> DataOutcome {
        self.outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(lines: &[&[u8]], max_size: usize) -> (DataOutcome, bool) {
        let mut reader = DataReader::new(max_size, 1000);
        let mut ended = false;
        for line in lines {
            ended = reader.line(line, false);
            if ended {
                break;
            }
        }
        (reader.finish(), ended)
    }

    #[test]
    fn data_is_unstuffed_bounded_and_checked_line_by_line() {
        let (out, ended) = read(&[b"Subject: a\r\n", b"\r\n", b"..dot\r\n", b".\r\n"], 1000);
        assert!(ended);
        assert_eq!(out.message, b"Subject: a\r\n\r\n.dot\r\n");
        assert!(!out.too_large && !out.bare_lf && !out.long_line);

        let (out, _) = read(&[b"a\n", b".\r\n"], 1000);
        assert!(out.bare_lf);

        let (out, ended) = read(&[b"0123456789\r\n", b"0123456789\r\n", b".\r\n"], 15);
        assert!(ended && out.too_large);
        assert_eq!(out.message, b"0123456789\r\n");

        let long = vec![b'x'; 1200];
        let (out, _) = read(&[&long, b".\r\n"], 10_000);
        assert!(out.long_line);

        // A lone "." ended by a bare LF is not the end marker.
        let (_, ended) = read(&[b".\n"], 1000);
        assert!(!ended);
    }
}
