//! `earshot_core`: the small domain of Earshot — is auditing on, running and
//! writing ([`health`]); how far each trail volume is from `minfree`
//! ([`headroom`]); where the trail folder is heading ([`forecast`]); the
//! status document that says all of it ([`status`]) and the charts' data
//! ([`series`]). The OS is reached through `earshot-system`, trails through
//! `earshot-trail`.
#![forbid(unsafe_code)]

pub mod forecast;
pub mod headroom;
pub mod health;
pub mod series;
pub mod status;
