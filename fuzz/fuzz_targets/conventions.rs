//! The convention parser on hostile headers and payloads, and the redacted view built from
//! what it found (what `list` and `inspect` show).
#![no_main]

use domain::conventions::{explain, HeaderMap};
use domain::entry::Entry;
use domain::view::{view, Detail, Showing};
use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../src/domain/mod.rs"]
mod domain;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let record = common::record(data);
    let mut custom = HeaderMap::default();
    let _ = custom.push_spec("origin_topic=x-source-topic");
    let _ = custom.push_spec("retry_count=x-retries");
    for map in [HeaderMap::default(), custom] {
        let context = explain(&record, &map);
        let entry = Entry {
            record: record.clone(),
            context,
        };
        let _ = view(&entry, Detail::Full, &Showing::default());
    }
});
