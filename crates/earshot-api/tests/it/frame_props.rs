//! Whatever arrives on the socket, the frame reader answers with a frame or a
//! typed error — never a panic, never more than it was told to read.

use earshot_api::frame::{encode, read_message, FrameError};
use earshot_api::{ClientFrame, Request, MAX_FRAME_LEN};
use proptest::prelude::*;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut r: &[u8] = &bytes;
        let _ = block_on(read_message::<_, ClientFrame>(&mut r));
    }

    #[test]
    fn every_strict_prefix_of_a_frame_is_a_clean_close_or_a_truncation(
        text in ".{0,200}",
        id in any::<u64>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let frame = encode(&ClientFrame::Request { id, request: Request::Plan { text: text.clone() } }).unwrap();
        let n = cut.index(frame.len());
        let mut r: &[u8] = &frame[..n];
        match block_on(read_message::<_, ClientFrame>(&mut r)) {
            Err(FrameError::Closed) => prop_assert_eq!(n, 0),
            Err(FrameError::Truncated { .. }) => prop_assert!(n > 0),
            other => prop_assert!(false, "prefix of {} bytes gave {:?}", n, other),
        }
        let mut whole: &[u8] = &frame;
        let back = block_on(read_message::<_, ClientFrame>(&mut whole)).unwrap();
        prop_assert_eq!(back, ClientFrame::Request { id, request: Request::Plan { text } });
    }

    #[test]
    fn any_length_over_the_limit_is_refused_from_the_prefix_alone(len in (MAX_FRAME_LEN as u32 + 1)..=u32::MAX) {
        let prefix = len.to_be_bytes();
        let mut r: &[u8] = &prefix;
        let is_too_large = matches!(
            block_on(read_message::<_, ClientFrame>(&mut r)),
            Err(FrameError::TooLarge { .. })
        );
        prop_assert!(is_too_large);
    }
}
