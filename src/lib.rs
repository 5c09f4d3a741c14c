//! certgate: the gate in front of a certificate rotation on IBM Event Streams (Helm).

pub mod model;
pub mod source;
