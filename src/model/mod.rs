//! The facts of a release unit that the checks read: the unit's inputs and effective values
//! ([`unit`](mod@unit)), its parsed certificate material and chains ([`material`]), the command that would
//! apply it ([`plan`]) and what it changes for clients ([`impact`]). Nothing here reads files,
//! judges or prints: the loader fills these in, the checks judge them.

pub mod impact;
pub mod material;
pub mod plan;
pub mod served;
#[cfg(test)]
pub(crate) mod testing;
pub mod unit;
