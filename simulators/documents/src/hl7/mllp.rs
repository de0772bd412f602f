//! MLLP, the Minimal Lower Layer Protocol HL7 v2 messages travel on over TCP inside an
//! establishment: each message is one block, `0x0B` (VT) before it, `0x1C 0x0D` (FS CR)
//! after it, and the receiver answers each block with one block (the ACK).
//!
//! Sans I/O: [`frame`] wraps a message; [`Deframer`] takes bytes as they arrive and gives
//! back whole messages, refusing a block larger than its limit or bytes outside a block.

use thiserror::Error;

/// Start of block.
pub const START: u8 = 0x0B;
/// End of block: FS then CR.
pub const END: [u8; 2] = [0x1C, 0x0D];

/// A message as one MLLP block.
pub fn frame(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 3);
    out.push(START);
    out.extend_from_slice(message);
    out.extend_from_slice(&END);
    out
}

/// Why bytes are not MLLP.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MllpError {
    /// A block is longer than the limit (its bytes are dropped).
    #[error("bloc MLLP de plus de {0} octets")]
    TooLarge(usize),
    /// Bytes other than whitespace before a block's `0x0B`.
    #[error("{0} octet(s) hors d'un bloc MLLP (0x0B … 0x1C 0x0D)")]
    OutsideBlock(usize),
}

/// Takes bytes as they come and hands back whole messages.
#[derive(Debug)]
pub struct Deframer {
    /// Bytes received and not yet handed back.
    buffer: Vec<u8>,
    /// The largest message accepted.
    max: usize,
}

impl Deframer {
    /// A deframer refusing messages of more than `max` bytes.
    pub fn new(max: usize) -> Self {
        Self {
            buffer: Vec::new(),
            max,
        }
    }

    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// Whether bytes of an unfinished block are waiting.
    pub fn is_pending(&self) -> bool {
        self.buffer.iter().any(|b| !b.is_ascii_whitespace())
    }

    /// The next whole message, `Ok(None)` until one has arrived. On an error the offending
    /// bytes are dropped, so the next call reads on.
    pub fn next_message(&mut self) -> Result<Option<Vec<u8>>, MllpError> {
        // Line ends between blocks are tolerated (some senders add one after FS CR).
        let lead = self
            .buffer
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        self.buffer.drain(..lead);
        let Some(&first) = self.buffer.first() else {
            return Ok(None);
        };
        if first != START {
            let stray = self
                .buffer
                .iter()
                .position(|b| *b == START)
                .unwrap_or(self.buffer.len());
            self.buffer.drain(..stray);
            return Err(MllpError::OutsideBlock(stray));
        }
        match self.buffer.windows(2).position(|w| w == END) {
            Some(end) => {
                let message = self.buffer[1..end].to_vec();
                self.buffer.drain(..end + 2);
                if message.len() > self.max {
                    return Err(MllpError::TooLarge(self.max));
                }
                Ok(Some(message))
            }
            None if self.buffer.len() > self.max + 3 => {
                self.buffer.clear();
                Err(MllpError::TooLarge(self.max))
            }
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_come_back_whole_however_the_bytes_arrive() {
        let mut wire = frame(b"MSH|one");
        wire.extend_from_slice(b"\r\n");
        wire.extend(frame(b"MSH|two"));
        for cut in 0..wire.len() {
            let mut d = Deframer::new(1024);
            let mut got = Vec::new();
            for part in [&wire[..cut], &wire[cut..]] {
                d.push(part);
                while let Some(m) = d.next_message().unwrap() {
                    got.push(m);
                }
            }
            assert_eq!(
                got,
                vec![b"MSH|one".to_vec(), b"MSH|two".to_vec()],
                "cut {cut}"
            );
            assert!(!d.is_pending());
        }
    }

    #[test]
    fn what_is_not_a_block_is_refused_and_skipped() {
        let cases: &[(&[u8], MllpError)] = &[
            (b"MSH|plain\r", MllpError::OutsideBlock(10)),
            (b"xx\x0bMSH|late\x1c\x0d", MllpError::OutsideBlock(2)),
        ];
        for (bytes, error) in cases {
            let mut d = Deframer::new(1024);
            d.push(bytes);
            assert_eq!(d.next_message().unwrap_err(), *error);
        }
        let mut d = Deframer::new(1024);
        d.push(b"xx\x0bMSH|late\x1c\x0d");
        let _ = d.next_message();
        assert_eq!(d.next_message().unwrap(), Some(b"MSH|late".to_vec()));
    }

    #[test]
    fn a_block_over_the_limit_is_refused_before_it_ends() {
        let mut d = Deframer::new(8);
        d.push(&[START]);
        d.push(&[b'a'; 20]);
        assert_eq!(d.next_message().unwrap_err(), MllpError::TooLarge(8));
        d.push(&frame(b"ok"));
        assert_eq!(d.next_message().unwrap(), Some(b"ok".to_vec()));
        let mut d = Deframer::new(4);
        d.push(&frame(b"12345"));
        assert_eq!(d.next_message().unwrap_err(), MllpError::TooLarge(4));
    }
}
