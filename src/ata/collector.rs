//! The collector script (being written).
use super::mapping::Mapping;

pub fn script(_m: &Mapping) -> String {
    String::new()
}
