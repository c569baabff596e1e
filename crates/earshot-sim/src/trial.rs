//! Trial measurements on a simulated Mac: the simulated auditd runs the
//! profile's workload with the trial's masks on an independent random stream,
//! on virtual time (an hour's trial returns at once), and its records are
//! counted by the same `Tally` that counts a real audit pipe's.

use earshot_tuning::measure::{MeasureError, Measurement, Tally, Trial};

use crate::{SimAuditd, SimulatedMac};

/// A trial on a simulated auditd (see [`SimAuditd::trial`]); `seed` picks the
/// sample, so two trials at the same instant can differ like two real ones.
pub fn simulate(auditd: &SimAuditd, trial: &Trial, seed: u64) -> Result<Measurement, MeasureError> {
    if !auditd.state().auditing() {
        return Err(MeasureError::NotAuditing);
    }
    let (classes, events) = earshot_system::audit_tables(auditd.mac());
    let mut tally = Tally::new(trial, &classes, events);
    auditd.trial(
        (trial.flags.success, trial.flags.failure),
        (trial.naflags.success, trial.naflags.failure),
        trial.duration_secs as f64,
        seed,
        |bytes| tally.feed(bytes),
    );
    Ok(tally.finish(trial, &classes, "simulator", 0))
}

/// A trial on the simulated Mac in a folder, read-only: its auditd is loaded
/// from the folder (wherever it is hosted) and not saved back.
pub fn simulate_mac(mac: &SimulatedMac, trial: &Trial) -> Result<Measurement, MeasureError> {
    let auditd = SimAuditd::load(mac.clone())?;
    let seed = auditd.simulated().seed ^ auditd.state().sim_time.to_bits();
    simulate(&auditd, trial, seed)
}
