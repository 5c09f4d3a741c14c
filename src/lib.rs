//! certgate: the gate in front of a certificate rotation on IBM Event Streams (Helm).

pub mod helm;
pub mod model;
pub mod source;
