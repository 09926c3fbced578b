//! The input layout the targets share: a record's headers, then its payload.
//!
//! `[n_headers] ([name_len] name [value_len or 255 for null] value)* payload`

use crate::domain::entry::{EntryId, Header, Record};

pub fn record(data: &[u8]) -> Record {
    let mut rest = data;
    let mut take = |n: usize| -> Option<&[u8]> {
        if rest.len() < n {
            return None;
        }
        let (a, b) = rest.split_at(n);
        rest = b;
        Some(a)
    };
    let mut headers = Vec::new();
    let count = take(1).map_or(0, |b| b[0] % 24);
    for _ in 0..count {
        let Some(len) = take(1) else { break };
        let Some(name) = take(len[0] as usize) else {
            break;
        };
        let name = String::from_utf8_lossy(name).into_owned();
        let Some(vlen) = take(1) else { break };
        let value = if vlen[0] == 255 {
            None
        } else {
            match take(vlen[0] as usize) {
                Some(v) => Some(v.to_vec()),
                None => break,
            }
        };
        headers.push(Header { name, value });
    }
    let payload = rest.to_vec();
    Record {
        topic: "orders.DLT".into(),
        id: EntryId::Kafka {
            partition: 0,
            offset: 1,
        },
        timestamp: None,
        key: Some(payload.iter().take(16).copied().collect()),
        headers,
        payload: Some(payload),
        schema_version: None,
    }
}
