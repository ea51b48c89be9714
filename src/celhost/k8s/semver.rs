//! Not yet implemented.

use super::FunctionInfo;
use cel::{DeclarationError, Env};

/// The functions of the library.
pub(super) const FUNCTIONS: &[FunctionInfo] = &[];

/// Registers the library on `env`.
pub(super) fn register(_env: &mut Env) -> Result<(), DeclarationError> {
    Ok(())
}
