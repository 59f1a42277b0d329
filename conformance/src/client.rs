//! A minimal blocking RESP2 client over `std::net::TcpStream`.
//!
//! Sends commands exactly as the core would receive them (an array of bulk
//! strings) and keeps the raw bytes of every reply, because replies are
//! compared byte for byte.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use replscope_core::resp::{Frame, encode_command};

use crate::wire::parse_frame;

/// How long any single read may block before the harness gives up: a real
/// server answers in microseconds, so a stall means a harness bug or a
/// command that blocks (which cases must not use).
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// One connection to a real redis-server.
pub struct Client {
    stream: TcpStream,
    /// Bytes received but not yet consumed by a reply.
    buf: Vec<u8>,
}

impl Client {
    pub fn connect(port: u16) -> io::Result<Client> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        Client::from_stream(stream)
    }

    pub fn from_stream(stream: TcpStream) -> io::Result<Client> {
        stream.set_read_timeout(Some(READ_TIMEOUT))?;
        stream.set_nodelay(true)?;
        Ok(Client { stream, buf: Vec::new() })
    }

    /// Changes how long a read may block (default [`READ_TIMEOUT`]).
    pub fn set_read_timeout(&self, timeout: Duration) -> io::Result<()> {
        self.stream.set_read_timeout(Some(timeout))
    }

    /// Sends `argv` and returns the reply frame with its exact bytes.
    pub fn call<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> io::Result<(Frame, Vec<u8>)> {
        self.send(argv)?;
        self.read_reply()
    }

    /// Like [`Client::call`] but only the frame, for harness housekeeping.
    pub fn query(&mut self, words: &[&str]) -> io::Result<Frame> {
        Ok(self.call(words)?.0)
    }

    pub fn send<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> io::Result<()> {
        let mut out = Vec::new();
        encode_command(argv, &mut out);
        self.stream.write_all(&out)
    }

    /// Reads one reply.
    pub fn read_reply(&mut self) -> io::Result<(Frame, Vec<u8>)> {
        loop {
            match parse_frame(&self.buf) {
                Ok(Some((frame, used))) => {
                    let raw: Vec<u8> = self.buf.drain(..used).collect();
                    return Ok((frame, raw));
                }
                Ok(None) => self.fill()?,
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            }
        }
    }

    /// Reads one `\r\n`-terminated line (without the terminator).
    pub fn read_line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(cr) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.buf[..cr].to_vec();
                self.buf.drain(..cr + 2);
                return Ok(line);
            }
            self.fill()?;
        }
    }

    /// Reads exactly `n` raw bytes.
    pub fn read_exact_bytes(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < n {
            self.fill()?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    /// Reads raw bytes up to and including `marker`.
    pub fn read_until(&mut self, marker: &[u8]) -> io::Result<Vec<u8>> {
        let mut searched = 0;
        loop {
            if let Some(pos) = self.buf[searched..].windows(marker.len()).position(|w| w == marker) {
                let end = searched + pos + marker.len();
                return Ok(self.buf.drain(..end).collect());
            }
            searched = self.buf.len().saturating_sub(marker.len());
            self.fill()?;
        }
    }

    /// Drops leading bytes equal to `byte` (the `\n` keepalives a master
    /// sends a replica while it prepares a snapshot).
    pub fn skip_leading(&mut self, byte: u8) -> io::Result<()> {
        loop {
            let n = self.buf.iter().take_while(|&&b| b == byte).count();
            self.buf.drain(..n);
            if !self.buf.is_empty() {
                return Ok(());
            }
            self.fill()?;
        }
    }

    /// Bytes already received and not consumed.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Takes up to `max` already received or newly read bytes.
    pub fn read_some(&mut self, max: usize) -> io::Result<Vec<u8>> {
        if self.buf.is_empty() {
            self.fill()?;
        }
        let n = self.buf.len().min(max);
        Ok(self.buf.drain(..n).collect())
    }

    fn fill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "redis-server closed the connection"));
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}
