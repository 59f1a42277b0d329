//! Incremental RESP parsers. (Skeleton: filled in by the RESP work.)

use super::Frame;

/// A protocol violation: the connection is closed after replying with it,
/// as Redis does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError(pub String);

/// Parses client requests (multibulk and inline) into argv vectors.
#[derive(Debug, Default)]
pub struct RequestParser {
    buf: Vec<u8>,
}

impl RequestParser {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }
    pub fn next_request(&mut self) -> Result<Option<Vec<Vec<u8>>>, ProtocolError> {
        Ok(None)
    }
}

/// Parses any RESP2 frames (replies, the replication stream).
#[derive(Debug, Default)]
pub struct FrameParser {
    buf: Vec<u8>,
}

impl FrameParser {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }
    pub fn next_frame(&mut self) -> Result<Option<Frame>, ProtocolError> {
        Ok(None)
    }
}
