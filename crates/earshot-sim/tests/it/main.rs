//! The integration tests of this crate, linked as one binary (link time on two
//! cores is most of a test build); each module was a test file of its own.

mod baseline_gather;
mod forecast_sim;
mod health_states;
mod prediction_accuracy;
mod series_source;
mod sim_auditd;
mod status_json;
mod tuning_facts;
