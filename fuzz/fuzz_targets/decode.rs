//! The decoders on arbitrary bytes: every mode, with a schema file, the registry wire format
//! and a topic schema known; a failure must be an `Outcome` with an error, never a panic.
#![no_main]

use std::sync::LazyLock;

use domain::decode::{Decoder, Mode, Part, SchemaFile, Served};
use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../src/domain/mod.rs"]
mod domain;

const ORDER: &str = include_str!("../../scripts/seed/order.avsc");

static DECODERS: LazyLock<Vec<Decoder>> = LazyLock::new(|| {
    let schema = SchemaFile::parse("order.avsc", ORDER).expect("schema");
    [Mode::Auto, Mode::Avro, Mode::Json, Mode::Text, Mode::Binary]
        .into_iter()
        .map(|mode| {
            let mut d = Decoder::default();
            d.mode = mode;
            d.value_schema = Some(schema.clone());
            d.key_schema = Some(schema.clone());
            d.registry = true;
            d.learn_registry(1, Ok(Served::Avro(Box::new(schema.schema.clone()))));
            d.learn_registry(2, Ok(Served::Json));
            d.learn_registry(3, Err("unavailable".into()));
            d.learn_topic_schema(
                vec![0; 8],
                Ok(Served::Avro(Box::new(schema.schema.clone()))),
            );
            d
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    for d in DECODERS.iter() {
        let _ = d.wants(data, None);
        let _ = d.decode(data, Part::Payload, None);
        let _ = d.decode(data, Part::Key, None);
        let _ = d.decode(data, Part::Payload, Some(&[0; 8]));
    }
});
