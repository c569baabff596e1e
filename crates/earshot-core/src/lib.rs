//! `earshot_core`: the domain of Earshot — trail inventory and statistics, the `System`
//! boundary (macOS and a simulated Mac), health, headroom, rates and forecasts.
pub mod baseline;
pub mod forecast;
pub mod headroom;
pub mod health;
pub mod measure;
pub mod plan;
pub mod rates;
pub mod series;
pub mod sim;
pub mod status;
pub mod system;
pub mod trail;
pub mod tuning;
