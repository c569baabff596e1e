//! `bsm`: the OpenBSM binary audit trail format — token decoder, record reader that
//! survives damage, praudit-compatible / JSON / XML rendering, and a libbsm-exact writer.
