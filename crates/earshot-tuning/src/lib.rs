//! `earshot_tuning`: the tuning ladder — the next step toward a target with its
//! predicted cost ([`plan`]), trial measurements of what a class would cost
//! ([`measure`]), the review of an applied step after its soak
//! ([`plan::review`]), and the facts of a Mac they start from ([`facts`]).
#![cfg_attr(not(target_os = "macos"), forbid(unsafe_code))]

pub mod facts;
pub mod measure;
pub mod plan;
