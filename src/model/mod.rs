//! The typed view of a release unit: values with origins, effective values as Helm computes them.

pub mod value;
