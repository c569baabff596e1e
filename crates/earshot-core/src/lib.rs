//! `earshot_core`: the domain of Earshot — trail inventory and statistics, the `System`
//! boundary (macOS and a simulated Mac), health, headroom, rates and forecasts.
pub mod trail;
