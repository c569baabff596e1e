//! `earshot_helper`: the privileged daemon behind earshot-api.
