
use builtin;
use str;

set edit:completion:arg-completer[dlq] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'dlq'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'dlq'= {
            cand --context 'Use this context of the config file (see `dlq config`)'
            cand --color 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never'
            cand -v 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand --verbose 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List dead-letter entries with their context, one row each'
            cand inspect 'Show one entry in full: headers, context, stack trace and payload (redacted by default)'
            cand replay 'Send dead letters back to their origin topic (or --to); each is marked handled only after the broker confirmed its copy. On a main topic: rewind a consumer group or subscription to a time (--since with --group/--subscription), or copy a time window (--since … --to)'
            cand purge 'Delete exactly the selected entries, after a backup (Kafka: DeleteRecords on a prefix of each partition; Pulsar: acknowledged on the operator subscription)'
            cand export 'Write the selected entries as JSON Lines, unredacted, for backups or `replay --from-file`'
            cand config 'Contexts in the config file: list them, show one, or choose the current one'
            cand man 'Print the man page (roff)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dlq;list'= {
            cand -b 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --broker 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --timeout 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]'
            cand --group 'Kafka: the operator consumer group dlq uses (it never joins; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind'
            cand -X 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file'
            cand --sasl-mechanism 'Kafka SASL mechanism'
            cand --sasl-username 'Kafka SASL user'
            cand --password-file 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it'
            cand --ca-file 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)'
            cand --cert-file 'Kafka TLS: client certificate for mutual TLS (PEM)'
            cand --key-file 'Kafka TLS: the client certificate''s private key (PEM)'
            cand --token-file 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)'
            cand --oauth2-issuer-url 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)'
            cand --oauth2-credentials-file 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it'
            cand --oauth2-audience 'Pulsar OAuth2: the audience to ask the token for'
            cand --oauth2-scope 'Pulsar OAuth2: the scope to ask the token for'
            cand --subscription 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind'
            cand --since 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d'
            cand --until 'Only entries written before TIME (same forms as --since)'
            cand --partition 'Only these DLQ partitions (repeat or separate with commas)'
            cand --grep 'Only entries whose error class, message or stack trace matches REGEX'
            cand --origin 'Only entries whose origin topic is TOPIC'
            cand --key 'Only entries whose key is exactly KEY'
            cand --limit 'Stop after N matching entries'
            cand --tz 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]'
            cand --header-map 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at'
            cand -o 'Output format [default: table on a terminal, jsonl otherwise]'
            cand --output 'Output format [default: table on a terminal, jsonl otherwise]'
            cand --redact-field 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context''s)'
            cand --redact-pattern 'Also mask values matching this regex wherever they appear (repeatable)'
            cand --decode 'How to read payloads [default: auto: the registry wire format (with --schema-registry), a Pulsar topic schema, an Avro container file, Avro with --value-schema, JSON, text, then binary]. Keys are read as Avro only with --key-schema or the registry. `export` adds decoded copies only when asked (this flag, a schema or a registry)'
            cand --value-schema 'Avro schema (.avsc) of the payloads: a raw datum, or single-object encoding'
            cand --key-schema 'Avro schema (.avsc) of the keys'
            cand --schema-registry 'Schema registry for the wire format (magic byte 0 + 4-byte schema id)'
            cand --schema-registry-user 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file'
            cand --schema-registry-password-file 'Schema registry password, read from FILE'
            cand --context 'Use this context of the config file (see `dlq config`)'
            cand --color 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never'
            cand --all 'Include entries already handled (replayed or purged) that the broker still retains'
            cand --tls 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
            cand --reveal 'Show keys, payloads and headers unredacted (prints a warning)'
            cand -v 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand --verbose 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;inspect'= {
            cand -b 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --broker 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --timeout 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]'
            cand --group 'Kafka: the operator consumer group dlq uses (it never joins; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind'
            cand -X 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file'
            cand --sasl-mechanism 'Kafka SASL mechanism'
            cand --sasl-username 'Kafka SASL user'
            cand --password-file 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it'
            cand --ca-file 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)'
            cand --cert-file 'Kafka TLS: client certificate for mutual TLS (PEM)'
            cand --key-file 'Kafka TLS: the client certificate''s private key (PEM)'
            cand --token-file 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)'
            cand --oauth2-issuer-url 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)'
            cand --oauth2-credentials-file 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it'
            cand --oauth2-audience 'Pulsar OAuth2: the audience to ask the token for'
            cand --oauth2-scope 'Pulsar OAuth2: the scope to ask the token for'
            cand --subscription 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind'
            cand --header-map 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at'
            cand -o 'Output format [default: table on a terminal, jsonl otherwise]'
            cand --output 'Output format [default: table on a terminal, jsonl otherwise]'
            cand --redact-field 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context''s)'
            cand --redact-pattern 'Also mask values matching this regex wherever they appear (repeatable)'
            cand --decode 'How to read payloads [default: auto: the registry wire format (with --schema-registry), a Pulsar topic schema, an Avro container file, Avro with --value-schema, JSON, text, then binary]. Keys are read as Avro only with --key-schema or the registry. `export` adds decoded copies only when asked (this flag, a schema or a registry)'
            cand --value-schema 'Avro schema (.avsc) of the payloads: a raw datum, or single-object encoding'
            cand --key-schema 'Avro schema (.avsc) of the keys'
            cand --schema-registry 'Schema registry for the wire format (magic byte 0 + 4-byte schema id)'
            cand --schema-registry-user 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file'
            cand --schema-registry-password-file 'Schema registry password, read from FILE'
            cand --context 'Use this context of the config file (see `dlq config`)'
            cand --color 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never'
            cand --tls 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
            cand --reveal 'Show keys, payloads and headers unredacted (prints a warning)'
            cand -v 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand --verbose 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;replay'= {
            cand --from-file 'Publish the entries of a `dlq export` file or a purge backup, as they were, to the DLQ topic they came from (or --to)'
            cand -b 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --broker 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --timeout 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]'
            cand --group 'Kafka: the operator consumer group dlq uses (it never joins; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind'
            cand -X 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file'
            cand --sasl-mechanism 'Kafka SASL mechanism'
            cand --sasl-username 'Kafka SASL user'
            cand --password-file 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it'
            cand --ca-file 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)'
            cand --cert-file 'Kafka TLS: client certificate for mutual TLS (PEM)'
            cand --key-file 'Kafka TLS: the client certificate''s private key (PEM)'
            cand --token-file 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)'
            cand --oauth2-issuer-url 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)'
            cand --oauth2-credentials-file 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it'
            cand --oauth2-audience 'Pulsar OAuth2: the audience to ask the token for'
            cand --oauth2-scope 'Pulsar OAuth2: the scope to ask the token for'
            cand --subscription 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind'
            cand --since 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d'
            cand --until 'Only entries written before TIME (same forms as --since)'
            cand --partition 'Only these DLQ partitions (repeat or separate with commas)'
            cand --grep 'Only entries whose error class, message or stack trace matches REGEX'
            cand --origin 'Only entries whose origin topic is TOPIC'
            cand --key 'Only entries whose key is exactly KEY'
            cand --limit 'Stop after N matching entries'
            cand --tz 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]'
            cand --id 'Only this entry, as `dlq list` prints its id (repeatable)'
            cand --to 'Send to TOPIC instead of each entry''s origin topic'
            cand --max-replays 'Refuse entries already replayed this many times (their dlq-replay-count), as likely loops'
            cand --rate 'Send at most N messages per second'
            cand --header-map 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at'
            cand -o 'Summary format [default: text on a terminal, one JSON document otherwise]'
            cand --output 'Summary format [default: text on a terminal, one JSON document otherwise]'
            cand --context 'Use this context of the config file (see `dlq config`)'
            cand --color 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never'
            cand --tls 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
            cand --all 'Every entry not yet handled (required when no filter or --id narrows the selection)'
            cand --keep-partition 'Kafka: send to the original partition instead of letting the key decide'
            cand --keep-dlq-headers 'Keep the dead-letter context headers (__connect.errors.*, kafka_dlt-*, REAL_TOPIC, …)'
            cand -q 'Print only errors (no plan, no progress bar)'
            cand --quiet 'Print only errors (no plan, no progress bar)'
            cand --assume-inactive 'Rewind: proceed even where the broker cannot tell whether the group has active members (you have stopped its consumers)'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --dry-run 'Show the plan and what would be sent; change nothing'
            cand -v 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand --verbose 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;purge'= {
            cand -b 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --broker 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --timeout 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]'
            cand --group 'Kafka: the operator consumer group dlq uses (it never joins; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind'
            cand -X 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file'
            cand --sasl-mechanism 'Kafka SASL mechanism'
            cand --sasl-username 'Kafka SASL user'
            cand --password-file 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it'
            cand --ca-file 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)'
            cand --cert-file 'Kafka TLS: client certificate for mutual TLS (PEM)'
            cand --key-file 'Kafka TLS: the client certificate''s private key (PEM)'
            cand --token-file 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)'
            cand --oauth2-issuer-url 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)'
            cand --oauth2-credentials-file 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it'
            cand --oauth2-audience 'Pulsar OAuth2: the audience to ask the token for'
            cand --oauth2-scope 'Pulsar OAuth2: the scope to ask the token for'
            cand --subscription 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind'
            cand --since 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d'
            cand --until 'Only entries written before TIME (same forms as --since)'
            cand --partition 'Only these DLQ partitions (repeat or separate with commas)'
            cand --grep 'Only entries whose error class, message or stack trace matches REGEX'
            cand --origin 'Only entries whose origin topic is TOPIC'
            cand --key 'Only entries whose key is exactly KEY'
            cand --limit 'Stop after N matching entries'
            cand --tz 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]'
            cand --id 'Only this entry, as `dlq list` prints its id (repeatable)'
            cand --before 'Only the prefix of each partition older than TIME (same forms as --since)'
            cand --backup 'Write the backup here [default: $XDG_STATE_HOME/dlq/backups/TOPIC-TIME.jsonl]'
            cand --header-map 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at'
            cand -o 'Summary format [default: text on a terminal, one JSON document otherwise]'
            cand --output 'Summary format [default: text on a terminal, one JSON document otherwise]'
            cand --context 'Use this context of the config file (see `dlq config`)'
            cand --color 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never'
            cand --tls 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
            cand --all 'Every entry not yet handled (required when nothing else narrows the selection)'
            cand --mark-handled 'Kafka: move the operator group past the selected prefix instead of deleting records'
            cand --no-backup 'Purge without writing a backup first'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --dry-run 'Show the plan and what would be sent; change nothing'
            cand -v 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand --verbose 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;export'= {
            cand -b 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --broker 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --timeout 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]'
            cand --group 'Kafka: the operator consumer group dlq uses (it never joins; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind'
            cand -X 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file'
            cand --sasl-mechanism 'Kafka SASL mechanism'
            cand --sasl-username 'Kafka SASL user'
            cand --password-file 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it'
            cand --ca-file 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)'
            cand --cert-file 'Kafka TLS: client certificate for mutual TLS (PEM)'
            cand --key-file 'Kafka TLS: the client certificate''s private key (PEM)'
            cand --token-file 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)'
            cand --oauth2-issuer-url 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)'
            cand --oauth2-credentials-file 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it'
            cand --oauth2-audience 'Pulsar OAuth2: the audience to ask the token for'
            cand --oauth2-scope 'Pulsar OAuth2: the scope to ask the token for'
            cand --subscription 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind'
            cand --since 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d'
            cand --until 'Only entries written before TIME (same forms as --since)'
            cand --partition 'Only these DLQ partitions (repeat or separate with commas)'
            cand --grep 'Only entries whose error class, message or stack trace matches REGEX'
            cand --origin 'Only entries whose origin topic is TOPIC'
            cand --key 'Only entries whose key is exactly KEY'
            cand --limit 'Stop after N matching entries'
            cand --tz 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]'
            cand --id 'Only this entry (repeatable)'
            cand --out 'Write to FILE (created, never overwritten; readable by you only) instead of stdout'
            cand --header-map 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at'
            cand --decode 'How to read payloads [default: auto: the registry wire format (with --schema-registry), a Pulsar topic schema, an Avro container file, Avro with --value-schema, JSON, text, then binary]. Keys are read as Avro only with --key-schema or the registry. `export` adds decoded copies only when asked (this flag, a schema or a registry)'
            cand --value-schema 'Avro schema (.avsc) of the payloads: a raw datum, or single-object encoding'
            cand --key-schema 'Avro schema (.avsc) of the keys'
            cand --schema-registry 'Schema registry for the wire format (magic byte 0 + 4-byte schema id)'
            cand --schema-registry-user 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file'
            cand --schema-registry-password-file 'Schema registry password, read from FILE'
            cand --context 'Use this context of the config file (see `dlq config`)'
            cand --color 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never'
            cand --tls 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
            cand --all 'Include entries already handled that the broker still retains'
            cand -v 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand --verbose 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;config'= {
            cand --context 'Use this context of the config file (see `dlq config`)'
            cand --color 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never'
            cand -v 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand --verbose 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List the contexts; * marks the one in force'
            cand show 'Show a context (the one in force by default); passwords are not shown'
            cand use 'Make NAME the current context'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dlq;config;list'= {
            cand --context 'Use this context of the config file (see `dlq config`)'
            cand --color 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never'
            cand -v 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand --verbose 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;config;show'= {
            cand --context 'Use this context of the config file (see `dlq config`)'
            cand --color 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never'
            cand -v 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand --verbose 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;config;use'= {
            cand --context 'Use this context of the config file (see `dlq config`)'
            cand --color 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never'
            cand -v 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand --verbose 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;config;help'= {
            cand list 'List the contexts; * marks the one in force'
            cand show 'Show a context (the one in force by default); passwords are not shown'
            cand use 'Make NAME the current context'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dlq;config;help;list'= {
        }
        &'dlq;config;help;show'= {
        }
        &'dlq;config;help;use'= {
        }
        &'dlq;config;help;help'= {
        }
        &'dlq;man'= {
            cand --context 'Use this context of the config file (see `dlq config`)'
            cand --color 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never'
            cand -v 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand --verbose 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;completions'= {
            cand --context 'Use this context of the config file (see `dlq config`)'
            cand --color 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never'
            cand -v 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand --verbose 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;help'= {
            cand list 'List dead-letter entries with their context, one row each'
            cand inspect 'Show one entry in full: headers, context, stack trace and payload (redacted by default)'
            cand replay 'Send dead letters back to their origin topic (or --to); each is marked handled only after the broker confirmed its copy. On a main topic: rewind a consumer group or subscription to a time (--since with --group/--subscription), or copy a time window (--since … --to)'
            cand purge 'Delete exactly the selected entries, after a backup (Kafka: DeleteRecords on a prefix of each partition; Pulsar: acknowledged on the operator subscription)'
            cand export 'Write the selected entries as JSON Lines, unredacted, for backups or `replay --from-file`'
            cand config 'Contexts in the config file: list them, show one, or choose the current one'
            cand man 'Print the man page (roff)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dlq;help;list'= {
        }
        &'dlq;help;inspect'= {
        }
        &'dlq;help;replay'= {
        }
        &'dlq;help;purge'= {
        }
        &'dlq;help;export'= {
        }
        &'dlq;help;config'= {
            cand list 'List the contexts; * marks the one in force'
            cand show 'Show a context (the one in force by default); passwords are not shown'
            cand use 'Make NAME the current context'
        }
        &'dlq;help;config;list'= {
        }
        &'dlq;help;config;show'= {
        }
        &'dlq;help;config;use'= {
        }
        &'dlq;help;man'= {
        }
        &'dlq;help;completions'= {
        }
        &'dlq;help;help'= {
        }
    ]
    $completions[$command]
}
