//! The simulators `serve` starts. Each simulator crate adds one line here.

use segur_core::bench::Service;

/// Every registered simulator, in start order.
pub fn registered() -> Vec<Box<dyn Service>> {
    vec![]
}
