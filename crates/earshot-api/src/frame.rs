//! Length-prefixed JSON frames.
//!
//! A frame is a 4-byte big-endian length followed by that many bytes of JSON.
//! The length is checked *before* any body byte is read, so a peer announcing
//! 4 GiB costs the reader four bytes, not an allocation. A zero length is
//! refused: no message encodes to nothing, so it can only be garbage.

use serde::{de::DeserializeOwned, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::error::{ApiError, ErrorCode};

/// The largest frame body either side accepts: 1 MiB.
pub const MAX_FRAME_LEN: usize = 1 << 20;

/// Why a frame could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The peer closed the connection at a frame boundary.
    #[error("connection closed")]
    Closed,
    /// The peer closed the connection in the middle of a frame.
    #[error("connection closed after {got} of {expected} bytes of a frame")]
    Truncated { expected: usize, got: usize },
    #[error("frame of {len} bytes exceeds the limit of {MAX_FRAME_LEN} bytes")]
    TooLarge { len: usize },
    #[error("empty frame")]
    Empty,
    #[error("frame is not a valid message: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("i/o: {0}")]
    Io(std::io::Error),
}

impl FrameError {
    /// The wire error to send the peer before closing, if any is worth sending.
    pub fn to_api_error(&self) -> Option<ApiError> {
        let code = match self {
            FrameError::Closed | FrameError::Io(_) => return None,
            FrameError::Truncated { .. } | FrameError::Empty | FrameError::Malformed(_) => {
                ErrorCode::Malformed
            }
            FrameError::TooLarge { .. } => ErrorCode::FrameTooLarge,
        };
        // serde quotes the offending input verbatim; a hostile peer's 1 MiB
        // variant name must not come back at it.
        Some(ApiError::new(
            code,
            crate::error::shorten_quoted(&self.to_string()),
        ))
    }
}

/// Serialize `msg` into one frame (length prefix included).
pub fn encode<T: Serialize>(msg: &T) -> Result<Vec<u8>, FrameError> {
    let body = serde_json::to_vec(msg)?;
    if body.len() > MAX_FRAME_LEN {
        return Err(FrameError::TooLarge { len: body.len() });
    }
    let mut out = Vec::with_capacity(4 + body.len());
    // Fits: MAX_FRAME_LEN < u32::MAX.
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Parse one frame body.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, FrameError> {
    if body.is_empty() {
        return Err(FrameError::Empty);
    }
    Ok(serde_json::from_slice(body)?)
}

/// Write one message as a frame and flush it.
pub async fn write_message<W, T>(w: &mut W, msg: &T) -> Result<(), FrameError>
where
    W: AsyncWrite + Unpin,
    T: Serialize,
{
    let frame = encode(msg)?;
    w.write_all(&frame).await.map_err(FrameError::Io)?;
    w.flush().await.map_err(FrameError::Io)
}

/// Read the 4-byte length prefix. Split from the body so a server can give
/// "waiting for the next request" and "finishing a started frame" different
/// time limits.
pub async fn read_len<R: AsyncRead + Unpin>(r: &mut R) -> Result<usize, FrameError> {
    let mut prefix = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let n = r.read(&mut prefix[got..]).await.map_err(FrameError::Io)?;
        if n == 0 {
            return Err(if got == 0 {
                FrameError::Closed
            } else {
                FrameError::Truncated { expected: 4, got }
            });
        }
        got += n;
    }
    let len = u32::from_be_bytes(prefix) as usize;
    if len == 0 {
        return Err(FrameError::Empty);
    }
    if len > MAX_FRAME_LEN {
        return Err(FrameError::TooLarge { len });
    }
    Ok(len)
}

/// Read a body of `len` bytes (as returned by [`read_len`]).
pub async fn read_body<R: AsyncRead + Unpin>(r: &mut R, len: usize) -> Result<Vec<u8>, FrameError> {
    let mut body = vec![0u8; len];
    let mut got = 0;
    while got < len {
        let n = r.read(&mut body[got..]).await.map_err(FrameError::Io)?;
        if n == 0 {
            return Err(FrameError::Truncated { expected: len, got });
        }
        got += n;
    }
    Ok(body)
}

/// Read one frame and parse it as `T`.
pub async fn read_message<R, T>(r: &mut R) -> Result<T, FrameError>
where
    R: AsyncRead + Unpin,
    T: DeserializeOwned,
{
    let len = read_len(r).await?;
    let body = read_body(r, len).await?;
    decode(&body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{ClientFrame, Request};

    fn request() -> ClientFrame {
        ClientFrame::Request {
            id: 7,
            request: Request::Status,
        }
    }

    #[tokio::test]
    async fn round_trips_a_message() {
        let (mut a, mut b) = tokio::io::duplex(64);
        let writer = tokio::spawn(async move { write_message(&mut a, &request()).await });
        let got: ClientFrame = read_message(&mut b).await.expect("one frame");
        writer.await.unwrap().unwrap();
        assert_eq!(got, request());
    }

    #[test]
    fn encoding_is_big_endian_length_then_json() {
        let frame = encode(&request()).unwrap();
        let body = br#"{"type":"request","id":7,"request":{"op":"status"}}"#;
        assert_eq!(&frame[..4], &(body.len() as u32).to_be_bytes());
        assert_eq!(&frame[4..], body);
    }

    #[tokio::test]
    async fn oversized_length_is_refused_before_reading_the_body() {
        // Only the prefix is sent: if the reader tried to read the body it would
        // report a truncation instead of the size.
        let prefix = ((MAX_FRAME_LEN + 1) as u32).to_be_bytes();
        let mut r: &[u8] = &prefix;
        let err = read_message::<_, ClientFrame>(&mut r).await.unwrap_err();
        assert!(matches!(err, FrameError::TooLarge { len } if len == MAX_FRAME_LEN + 1));
        assert_eq!(err.to_api_error().unwrap().code, ErrorCode::FrameTooLarge);
    }

    #[tokio::test]
    async fn a_frame_of_exactly_the_limit_is_read() {
        let body = format!("\"{}\"", "a".repeat(MAX_FRAME_LEN - 2));
        let mut frame = (body.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(body.as_bytes());
        let mut r: &[u8] = &frame;
        let got: String = read_message(&mut r).await.expect("limit is inclusive");
        assert_eq!(got.len(), MAX_FRAME_LEN - 2);
    }

    #[test]
    fn encoding_refuses_an_oversized_message() {
        let big = "x".repeat(MAX_FRAME_LEN);
        assert!(matches!(encode(&big), Err(FrameError::TooLarge { .. })));
    }

    #[tokio::test]
    async fn zero_length_is_refused() {
        let mut r: &[u8] = &[0, 0, 0, 0];
        let err = read_message::<_, ClientFrame>(&mut r).await.unwrap_err();
        assert!(matches!(err, FrameError::Empty));
        assert_eq!(err.to_api_error().unwrap().code, ErrorCode::Malformed);
    }

    #[tokio::test]
    async fn half_sent_frames_are_truncations() {
        let mut r: &[u8] = &[0, 0];
        let err = read_message::<_, ClientFrame>(&mut r).await.unwrap_err();
        assert!(matches!(
            err,
            FrameError::Truncated {
                expected: 4,
                got: 2
            }
        ));

        let mut frame = encode(&request()).unwrap();
        let full = frame.len() - 4;
        frame.truncate(frame.len() - 5);
        let mut r: &[u8] = &frame;
        let err = read_message::<_, ClientFrame>(&mut r).await.unwrap_err();
        match err {
            FrameError::Truncated { expected, got } => {
                assert_eq!((expected, got), (full, full - 5));
            }
            other => panic!("expected a truncation, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn clean_close_at_a_boundary_is_not_an_error_to_report() {
        let mut r: &[u8] = &[];
        let err = read_message::<_, ClientFrame>(&mut r).await.unwrap_err();
        assert!(matches!(err, FrameError::Closed));
        assert!(err.to_api_error().is_none());
    }

    #[tokio::test]
    async fn malformed_bodies_are_refused() {
        for body in [
            &b"not json"[..],
            br#"{"type":"request","id":1,"request":{"op":"run_shell","cmd":"rm -rf /"}}"#,
            br#"{"type":"request","id":1,"request":{"op":"plan","text":"","path":"/etc/passwd"}}"#,
            br#"{"type":"hello"}"#,
            &[0xff, 0xfe, 0x00][..],
        ] {
            let mut frame = (body.len() as u32).to_be_bytes().to_vec();
            frame.extend_from_slice(body);
            let mut r: &[u8] = &frame;
            let err = read_message::<_, ClientFrame>(&mut r).await.unwrap_err();
            assert!(
                matches!(err, FrameError::Malformed(_)),
                "{:?} should be malformed, got {err:?}",
                String::from_utf8_lossy(body)
            );
            assert_eq!(err.to_api_error().unwrap().code, ErrorCode::Malformed);
        }
    }
}
