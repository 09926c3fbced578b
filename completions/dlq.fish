# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_dlq_global_optspecs
    string join \n context= v/verbose color= h/help V/version
end

function __fish_dlq_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_dlq_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_dlq_using_subcommand
    set -l cmd (__fish_dlq_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c dlq -n "__fish_dlq_needs_command" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_needs_command" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_needs_command" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dlq -n "__fish_dlq_needs_command" -s V -l version -d 'Print version'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "list" -d 'List dead-letter entries with their context, one row each'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "inspect" -d 'Show one entry in full: headers, context, stack trace and payload (redacted by default)'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "replay" -d 'Send dead letters back to their origin topic (or --to); each is marked handled only after the broker confirmed its copy. On a main topic: rewind a consumer group or subscription to a time (--since with --group/--subscription), or copy a time window (--since … --to)'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "purge" -d 'Delete exactly the selected entries, after a backup (Kafka: DeleteRecords on a prefix of each partition; Pulsar: acknowledged on the operator subscription)'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "export" -d 'Write the selected entries as JSON Lines, unredacted, for backups or `replay --from-file`'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "stats" -d 'Summarise a DLQ: which failures, how many, since when'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "groups" -d 'Group a DLQ\'s entries by failure: which bugs, how many of each, since when, one example'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "check" -d 'Check DLQs against thresholds, for cron jobs and CI: exit 6 when one is crossed'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "watch" -d 'Watch DLQs live: size, arrivals and removals, the oldest entry, the top failures'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "edit" -d 'Repair one entry\'s payload in your editor, then replay the edited version once'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "topics" -d 'List the topics that look like DLQs, with their entry counts'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "config" -d 'Contexts in the config file: list them, show one, or choose the current one'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c dlq -n "__fish_dlq_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dlq -n "__fish_dlq_using_subcommand list" -s b -l broker -d 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l timeout -d 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l group -d 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -s X -d 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat\'s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l sasl-mechanism -d 'Kafka SASL mechanism' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c dlq -n "__fish_dlq_using_subcommand list" -l sasl-username -d 'Kafka SASL user' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l password-file -d 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand list" -l ca-file -d 'TLS: the CA certificate(s) that sign the broker\'s certificate (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand list" -l cert-file -d 'Kafka TLS: client certificate for mutual TLS (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand list" -l key-file -d 'Kafka TLS: the client certificate\'s private key (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand list" -l token-file -d 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand list" -l oauth2-issuer-url -d 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l oauth2-credentials-file -d 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand list" -l oauth2-audience -d 'Pulsar OAuth2: the audience to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l oauth2-scope -d 'Pulsar OAuth2: the scope to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l admin-url -d 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l subscription -d 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l since -d 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l until -d 'Only entries written before TIME (same forms as --since)' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l partition -d 'Only these DLQ partitions (repeat or separate with commas)' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l grep -d 'Only entries whose error class, message or stack trace matches REGEX' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l origin -d 'Only entries whose origin topic is TOPIC' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l key -d 'Only entries whose key is exactly KEY' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l fingerprint -d 'Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show; repeat or separate with commas)' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l where -d 'Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`, `headers_all` and the context (`error_class`, `error_message`, `origin_topic`, `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`, `fingerprint`, `partition`), e.g. \'payload.customer.tier == "gold" && retry_count > 2\'' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l limit -d 'Stop after N matching entries' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l tz -d 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l header-map -d 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -s o -l output -d 'Output format [default: table on a terminal, jsonl otherwise]' -r -f -a "table\t''
json\t''
jsonl\t''"
complete -c dlq -n "__fish_dlq_using_subcommand list" -l redact-field -d 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context\'s)' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l redact-pattern -d 'Also mask values matching this regex wherever they appear (repeatable)' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l redaction-policy -d 'A team\'s redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`, `fields`, `patterns` (see README, "Redaction")' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand list" -l redact-all-except -d 'Allow-list mode: mask every payload field, header value and the key except these names (repeatable; `key` shows the key, `payload` a payload that is not JSON)' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l decode -d 'How to read payloads [default: auto: the registry wire format (with --schema-registry), a Pulsar topic schema, an Avro container file, Avro with --value-schema, JSON, text, then binary]. Keys are read as Avro only with --key-schema or the registry. `export` adds decoded copies only when asked (this flag, a schema or a registry)' -r -f -a "auto\t''
json\t''
avro\t''
text\t''
binary\t''"
complete -c dlq -n "__fish_dlq_using_subcommand list" -l value-schema -d 'Avro schema (.avsc) of the payloads: a raw datum, or single-object encoding' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand list" -l key-schema -d 'Avro schema (.avsc) of the keys' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand list" -l schema-registry -d 'Schema registry for the wire format (magic byte 0 + 4-byte schema id)' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l schema-registry-user -d 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l schema-registry-password-file -d 'Schema registry password, read from FILE' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand list" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand list" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand list" -l include-handled -d 'Include entries already handled (replayed or purged) that the broker still retains'
complete -c dlq -n "__fish_dlq_using_subcommand list" -l all -d 'Deprecated spelling of --include-handled (on replay and purge, --all accepts an unfiltered selection)'
complete -c dlq -n "__fish_dlq_using_subcommand list" -l tls -d 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
complete -c dlq -n "__fish_dlq_using_subcommand list" -l reveal -d 'Show keys, payloads and headers unredacted (prints a warning)'
complete -c dlq -n "__fish_dlq_using_subcommand list" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand list" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -s b -l broker -d 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l timeout -d 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l group -d 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -s X -d 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat\'s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l sasl-mechanism -d 'Kafka SASL mechanism' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l sasl-username -d 'Kafka SASL user' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l password-file -d 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l ca-file -d 'TLS: the CA certificate(s) that sign the broker\'s certificate (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l cert-file -d 'Kafka TLS: client certificate for mutual TLS (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l key-file -d 'Kafka TLS: the client certificate\'s private key (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l token-file -d 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l oauth2-issuer-url -d 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l oauth2-credentials-file -d 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l oauth2-audience -d 'Pulsar OAuth2: the audience to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l oauth2-scope -d 'Pulsar OAuth2: the scope to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l admin-url -d 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l subscription -d 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l header-map -d 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -s o -l output -d 'Output format [default: table on a terminal, jsonl otherwise]' -r -f -a "table\t''
json\t''
jsonl\t''"
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l redact-field -d 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context\'s)' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l redact-pattern -d 'Also mask values matching this regex wherever they appear (repeatable)' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l redaction-policy -d 'A team\'s redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`, `fields`, `patterns` (see README, "Redaction")' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l redact-all-except -d 'Allow-list mode: mask every payload field, header value and the key except these names (repeatable; `key` shows the key, `payload` a payload that is not JSON)' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l decode -d 'How to read payloads [default: auto: the registry wire format (with --schema-registry), a Pulsar topic schema, an Avro container file, Avro with --value-schema, JSON, text, then binary]. Keys are read as Avro only with --key-schema or the registry. `export` adds decoded copies only when asked (this flag, a schema or a registry)' -r -f -a "auto\t''
json\t''
avro\t''
text\t''
binary\t''"
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l value-schema -d 'Avro schema (.avsc) of the payloads: a raw datum, or single-object encoding' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l key-schema -d 'Avro schema (.avsc) of the keys' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l schema-registry -d 'Schema registry for the wire format (magic byte 0 + 4-byte schema id)' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l schema-registry-user -d 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l schema-registry-password-file -d 'Schema registry password, read from FILE' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l tls -d 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -l reveal -d 'Show keys, payloads and headers unredacted (prints a warning)'
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l from-file -d 'Publish the entries of a `dlq export` file or a purge backup, as they were, to the DLQ topic they came from (or --to)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l redact-field -d 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context\'s)' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l redact-pattern -d 'Also mask values matching this regex wherever they appear (repeatable)' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l redaction-policy -d 'A team\'s redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`, `fields`, `patterns` (see README, "Redaction")' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l redact-all-except -d 'Allow-list mode: mask every payload field, header value and the key except these names (repeatable; `key` shows the key, `payload` a payload that is not JSON)' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -s b -l broker -d 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l timeout -d 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l group -d 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -s X -d 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat\'s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l sasl-mechanism -d 'Kafka SASL mechanism' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l sasl-username -d 'Kafka SASL user' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l password-file -d 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l ca-file -d 'TLS: the CA certificate(s) that sign the broker\'s certificate (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l cert-file -d 'Kafka TLS: client certificate for mutual TLS (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l key-file -d 'Kafka TLS: the client certificate\'s private key (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l token-file -d 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l oauth2-issuer-url -d 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l oauth2-credentials-file -d 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l oauth2-audience -d 'Pulsar OAuth2: the audience to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l oauth2-scope -d 'Pulsar OAuth2: the scope to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l admin-url -d 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l subscription -d 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l since -d 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l until -d 'Only entries written before TIME (same forms as --since)' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l partition -d 'Only these DLQ partitions (repeat or separate with commas)' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l grep -d 'Only entries whose error class, message or stack trace matches REGEX' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l origin -d 'Only entries whose origin topic is TOPIC' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l key -d 'Only entries whose key is exactly KEY' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l fingerprint -d 'Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show; repeat or separate with commas)' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l where -d 'Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`, `headers_all` and the context (`error_class`, `error_message`, `origin_topic`, `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`, `fingerprint`, `partition`), e.g. \'payload.customer.tier == "gold" && retry_count > 2\'' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l limit -d 'Stop after N matching entries' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l tz -d 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l id -d 'Only this entry, as `dlq list` prints its id (repeatable)' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l to -d 'Send to TOPIC instead of each entry\'s origin topic' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l max-replays -d 'Refuse entries already replayed this many times (their dlq-replay-count), as likely loops [default: 3]' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l rate -d 'Send at most N messages per second' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l allow-target -d 'Send only to topics matching this glob (repeatable; adds to the context\'s `replay-targets`): any other target is refused before anything is sent' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l patch -d 'Repair each payload before sending: a jq program run on its JSON value (e.g. \'.customer_id = .customerId | del(.customerId)\'); entries it fails on are skipped. The copy carries dlq-patched (a hash of the program). Preview with --dry-run' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l patch-file -d 'As --patch, the program read from FILE; a JSON array there is an RFC 6902 JSON Patch' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l value-schema -d '--patch: the Avro schema (.avsc) the payloads were written with (a raw datum, or single-object encoding): the patched value is written back with it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l schema-registry -d '--patch: the schema registry for payloads in its wire format (the patched value is written back with the same schema id)' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l schema-registry-user -d 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l schema-registry-password-file -d 'Schema registry password, read from FILE' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l canary -d 'Send N entries first, wait (--canary-wait), and stop (exit 3) if any comes back to the DLQ as a new dead letter; otherwise ask, then send the rest' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l canary-wait -d 'How long --canary waits for its entries to fail again [default: 30s]' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l restore-positions -d 'Rewind: put the group or subscription back to the positions a rewind saved in FILE (the path every rewind prints), with the same plan, confirmation and activity check' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l save-positions -d 'Rewind: where to save the positions from before the change [default: $XDG_STATE_HOME/dlq/positions/CONSUMER@TOPIC-TIME.json]' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l header-map -d 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -s o -l output -d 'Summary format [default: text on a terminal, one JSON document otherwise]' -r -f -a "table\t''
json\t''
jsonl\t''"
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l tls -d 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l all -d 'Every entry not yet handled (required when no filter or --id narrows the selection)'
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l keep-partition -d 'Kafka: send to the original partition instead of letting the key decide'
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l keep-dlq-headers -d 'Keep the dead-letter context headers (__connect.errors.*, kafka_dlt-*, REAL_TOPIC, …)'
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l no-schema-check -d 'With a schema registry, every copy must be readable with its target\'s latest TOPIC-value schema (others are skipped); this turns that check off'
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l join -d 'Replay as one member of the operator group: run the same command in several processes and the broker\'s group protocol shares the partitions among them (Kafka consumer group, Pulsar Failover subscription). Needs -y; no --dry-run'
complete -c dlq -n "__fish_dlq_using_subcommand replay" -s q -l quiet -d 'Print only errors (no plan, no progress bar)'
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l assume-inactive -d 'Rewind: proceed even where the broker cannot tell whether the group has active members (you have stopped its consumers)'
complete -c dlq -n "__fish_dlq_using_subcommand replay" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c dlq -n "__fish_dlq_using_subcommand replay" -l dry-run -d 'Show the plan and what would be sent; change nothing'
complete -c dlq -n "__fish_dlq_using_subcommand replay" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand replay" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand purge" -s b -l broker -d 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l timeout -d 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l group -d 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -s X -d 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat\'s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l sasl-mechanism -d 'Kafka SASL mechanism' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l sasl-username -d 'Kafka SASL user' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l password-file -d 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l ca-file -d 'TLS: the CA certificate(s) that sign the broker\'s certificate (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l cert-file -d 'Kafka TLS: client certificate for mutual TLS (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l key-file -d 'Kafka TLS: the client certificate\'s private key (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l token-file -d 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l oauth2-issuer-url -d 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l oauth2-credentials-file -d 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l oauth2-audience -d 'Pulsar OAuth2: the audience to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l oauth2-scope -d 'Pulsar OAuth2: the scope to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l admin-url -d 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l subscription -d 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l since -d 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l until -d 'Only entries written before TIME (same forms as --since)' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l partition -d 'Only these DLQ partitions (repeat or separate with commas)' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l grep -d 'Only entries whose error class, message or stack trace matches REGEX' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l origin -d 'Only entries whose origin topic is TOPIC' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l key -d 'Only entries whose key is exactly KEY' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l fingerprint -d 'Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show; repeat or separate with commas)' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l where -d 'Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`, `headers_all` and the context (`error_class`, `error_message`, `origin_topic`, `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`, `fingerprint`, `partition`), e.g. \'payload.customer.tier == "gold" && retry_count > 2\'' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l limit -d 'Stop after N matching entries' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l tz -d 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l id -d 'Only this entry, as `dlq list` prints its id (repeatable)' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l before -d 'Only the prefix of each partition older than TIME (same forms as --since)' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l backup -d 'Write the backup here [default: $XDG_STATE_HOME/dlq/backups/TOPIC-TIME.jsonl]' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l header-map -d 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -s o -l output -d 'Summary format [default: text on a terminal, one JSON document otherwise]' -r -f -a "table\t''
json\t''
jsonl\t''"
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l tls -d 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l all -d 'Every entry not yet handled (required when nothing else narrows the selection)'
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l mark-handled -d 'Kafka: move the operator group past the selected prefix instead of deleting records'
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l no-backup -d 'Purge without writing a backup first'
complete -c dlq -n "__fish_dlq_using_subcommand purge" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c dlq -n "__fish_dlq_using_subcommand purge" -l dry-run -d 'Show the plan and what would be sent; change nothing'
complete -c dlq -n "__fish_dlq_using_subcommand purge" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand purge" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand export" -s b -l broker -d 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l timeout -d 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l group -d 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -s X -d 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat\'s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l sasl-mechanism -d 'Kafka SASL mechanism' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c dlq -n "__fish_dlq_using_subcommand export" -l sasl-username -d 'Kafka SASL user' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l password-file -d 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand export" -l ca-file -d 'TLS: the CA certificate(s) that sign the broker\'s certificate (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand export" -l cert-file -d 'Kafka TLS: client certificate for mutual TLS (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand export" -l key-file -d 'Kafka TLS: the client certificate\'s private key (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand export" -l token-file -d 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand export" -l oauth2-issuer-url -d 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l oauth2-credentials-file -d 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand export" -l oauth2-audience -d 'Pulsar OAuth2: the audience to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l oauth2-scope -d 'Pulsar OAuth2: the scope to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l admin-url -d 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l subscription -d 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l since -d 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l until -d 'Only entries written before TIME (same forms as --since)' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l partition -d 'Only these DLQ partitions (repeat or separate with commas)' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l grep -d 'Only entries whose error class, message or stack trace matches REGEX' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l origin -d 'Only entries whose origin topic is TOPIC' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l key -d 'Only entries whose key is exactly KEY' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l fingerprint -d 'Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show; repeat or separate with commas)' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l where -d 'Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`, `headers_all` and the context (`error_class`, `error_message`, `origin_topic`, `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`, `fingerprint`, `partition`), e.g. \'payload.customer.tier == "gold" && retry_count > 2\'' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l limit -d 'Stop after N matching entries' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l tz -d 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l id -d 'Only this entry (repeatable)' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l out -d 'Write to FILE (created, never overwritten; readable by you only) instead of stdout' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand export" -l header-map -d 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l redact-field -d 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context\'s)' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l redact-pattern -d 'Also mask values matching this regex wherever they appear (repeatable)' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l redaction-policy -d 'A team\'s redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`, `fields`, `patterns` (see README, "Redaction")' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand export" -l redact-all-except -d 'Allow-list mode: mask every payload field, header value and the key except these names (repeatable; `key` shows the key, `payload` a payload that is not JSON)' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l decode -d 'How to read payloads [default: auto: the registry wire format (with --schema-registry), a Pulsar topic schema, an Avro container file, Avro with --value-schema, JSON, text, then binary]. Keys are read as Avro only with --key-schema or the registry. `export` adds decoded copies only when asked (this flag, a schema or a registry)' -r -f -a "auto\t''
json\t''
avro\t''
text\t''
binary\t''"
complete -c dlq -n "__fish_dlq_using_subcommand export" -l value-schema -d 'Avro schema (.avsc) of the payloads: a raw datum, or single-object encoding' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand export" -l key-schema -d 'Avro schema (.avsc) of the keys' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand export" -l schema-registry -d 'Schema registry for the wire format (magic byte 0 + 4-byte schema id)' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l schema-registry-user -d 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l schema-registry-password-file -d 'Schema registry password, read from FILE' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand export" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand export" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand export" -l tls -d 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
complete -c dlq -n "__fish_dlq_using_subcommand export" -l include-handled -d 'Include entries already handled (replayed or purged) that the broker still retains'
complete -c dlq -n "__fish_dlq_using_subcommand export" -l all -d 'Deprecated spelling of --include-handled (on replay and purge, --all accepts an unfiltered selection)'
complete -c dlq -n "__fish_dlq_using_subcommand export" -l redact -d 'Mask keys, headers, payloads and the context as `inspect` does (the built-in rules, a policy, --redact-* flags), for sharing; such a file cannot be replayed'
complete -c dlq -n "__fish_dlq_using_subcommand export" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand export" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l bucket -d 'The chart of arrivals: entries per DURATION (e.g. 5m, 1h, 1d) [default: chosen from the time range, about 48 bars]' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l chart-failures -d 'Also a chart of arrivals for each of the N most frequent failures (fingerprints), on the same time axis; `arrivals_by_failure` in JSON' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -s b -l broker -d 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l timeout -d 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l group -d 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -s X -d 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat\'s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l sasl-mechanism -d 'Kafka SASL mechanism' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l sasl-username -d 'Kafka SASL user' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l password-file -d 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l ca-file -d 'TLS: the CA certificate(s) that sign the broker\'s certificate (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l cert-file -d 'Kafka TLS: client certificate for mutual TLS (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l key-file -d 'Kafka TLS: the client certificate\'s private key (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l token-file -d 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l oauth2-issuer-url -d 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l oauth2-credentials-file -d 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l oauth2-audience -d 'Pulsar OAuth2: the audience to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l oauth2-scope -d 'Pulsar OAuth2: the scope to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l admin-url -d 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l subscription -d 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l since -d 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l until -d 'Only entries written before TIME (same forms as --since)' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l partition -d 'Only these DLQ partitions (repeat or separate with commas)' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l grep -d 'Only entries whose error class, message or stack trace matches REGEX' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l origin -d 'Only entries whose origin topic is TOPIC' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l key -d 'Only entries whose key is exactly KEY' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l fingerprint -d 'Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show; repeat or separate with commas)' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l where -d 'Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`, `headers_all` and the context (`error_class`, `error_message`, `origin_topic`, `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`, `fingerprint`, `partition`), e.g. \'payload.customer.tier == "gold" && retry_count > 2\'' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l limit -d 'Stop after N matching entries' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l tz -d 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l header-map -d 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]; `openmetrics` and `prometheus` write the counts as metrics for a scraper or a textfile collector' -r -f -a "table\t''
json\t''
jsonl\t''
openmetrics\t''
prometheus\t''"
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l include-handled -d 'Include entries already handled (replayed or purged) that the broker still retains'
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l all -d 'Deprecated spelling of --include-handled (on replay and purge, --all accepts an unfiltered selection)'
complete -c dlq -n "__fish_dlq_using_subcommand stats" -l tls -d 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
complete -c dlq -n "__fish_dlq_using_subcommand stats" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand stats" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand groups" -s b -l broker -d 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l timeout -d 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l group -d 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -s X -d 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat\'s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l sasl-mechanism -d 'Kafka SASL mechanism' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l sasl-username -d 'Kafka SASL user' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l password-file -d 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l ca-file -d 'TLS: the CA certificate(s) that sign the broker\'s certificate (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l cert-file -d 'Kafka TLS: client certificate for mutual TLS (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l key-file -d 'Kafka TLS: the client certificate\'s private key (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l token-file -d 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l oauth2-issuer-url -d 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l oauth2-credentials-file -d 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l oauth2-audience -d 'Pulsar OAuth2: the audience to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l oauth2-scope -d 'Pulsar OAuth2: the scope to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l admin-url -d 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l subscription -d 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l since -d 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l until -d 'Only entries written before TIME (same forms as --since)' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l partition -d 'Only these DLQ partitions (repeat or separate with commas)' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l grep -d 'Only entries whose error class, message or stack trace matches REGEX' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l origin -d 'Only entries whose origin topic is TOPIC' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l key -d 'Only entries whose key is exactly KEY' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l fingerprint -d 'Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show; repeat or separate with commas)' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l where -d 'Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`, `headers_all` and the context (`error_class`, `error_message`, `origin_topic`, `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`, `fingerprint`, `partition`), e.g. \'payload.customer.tier == "gold" && retry_count > 2\'' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l limit -d 'Stop after N matching entries' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l tz -d 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l header-map -d 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -s o -l output -d 'Output format [default: table on a terminal, jsonl otherwise]' -r -f -a "table\t''
json\t''
jsonl\t''"
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l redact-field -d 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context\'s)' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l redact-pattern -d 'Also mask values matching this regex wherever they appear (repeatable)' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l redaction-policy -d 'A team\'s redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`, `fields`, `patterns` (see README, "Redaction")' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l redact-all-except -d 'Allow-list mode: mask every payload field, header value and the key except these names (repeatable; `key` shows the key, `payload` a payload that is not JSON)' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l decode -d 'How to read payloads [default: auto: the registry wire format (with --schema-registry), a Pulsar topic schema, an Avro container file, Avro with --value-schema, JSON, text, then binary]. Keys are read as Avro only with --key-schema or the registry. `export` adds decoded copies only when asked (this flag, a schema or a registry)' -r -f -a "auto\t''
json\t''
avro\t''
text\t''
binary\t''"
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l value-schema -d 'Avro schema (.avsc) of the payloads: a raw datum, or single-object encoding' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l key-schema -d 'Avro schema (.avsc) of the keys' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l schema-registry -d 'Schema registry for the wire format (magic byte 0 + 4-byte schema id)' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l schema-registry-user -d 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l schema-registry-password-file -d 'Schema registry password, read from FILE' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l include-handled -d 'Include entries already handled (replayed or purged) that the broker still retains'
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l tls -d 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
complete -c dlq -n "__fish_dlq_using_subcommand groups" -l reveal -d 'Show keys, payloads and headers unredacted (prints a warning)'
complete -c dlq -n "__fish_dlq_using_subcommand groups" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand groups" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand check" -l max-entries -d 'At most N unhandled entries' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -l max-age -d 'The oldest unhandled entry at most this old (e.g. 30m, 1h, 2d)' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -l max-rate -d 'At most N entries written in the last minute: N/min (or N/s, N/h)' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -s b -l broker -d 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -l timeout -d 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -l group -d 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -s X -d 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat\'s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -l sasl-mechanism -d 'Kafka SASL mechanism' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c dlq -n "__fish_dlq_using_subcommand check" -l sasl-username -d 'Kafka SASL user' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -l password-file -d 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand check" -l ca-file -d 'TLS: the CA certificate(s) that sign the broker\'s certificate (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand check" -l cert-file -d 'Kafka TLS: client certificate for mutual TLS (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand check" -l key-file -d 'Kafka TLS: the client certificate\'s private key (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand check" -l token-file -d 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand check" -l oauth2-issuer-url -d 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -l oauth2-credentials-file -d 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand check" -l oauth2-audience -d 'Pulsar OAuth2: the audience to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -l oauth2-scope -d 'Pulsar OAuth2: the scope to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -l admin-url -d 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -l subscription -d 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "table\t''
json\t''
jsonl\t''"
complete -c dlq -n "__fish_dlq_using_subcommand check" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand check" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand check" -l tls -d 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
complete -c dlq -n "__fish_dlq_using_subcommand check" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand check" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l interval -d 'How often to refresh (e.g. 5s, 1m)' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l serve -d 'Serve /metrics and /healthz over HTTP at ADDR: PORT (on 127.0.0.1) or HOST:PORT' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l top -d 'Failures shown per DLQ' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -s b -l broker -d 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l timeout -d 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l group -d 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -s X -d 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat\'s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l sasl-mechanism -d 'Kafka SASL mechanism' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l sasl-username -d 'Kafka SASL user' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l password-file -d 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l ca-file -d 'TLS: the CA certificate(s) that sign the broker\'s certificate (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l cert-file -d 'Kafka TLS: client certificate for mutual TLS (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l key-file -d 'Kafka TLS: the client certificate\'s private key (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l token-file -d 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l oauth2-issuer-url -d 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l oauth2-credentials-file -d 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l oauth2-audience -d 'Pulsar OAuth2: the audience to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l oauth2-scope -d 'Pulsar OAuth2: the scope to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l admin-url -d 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l subscription -d 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l header-map -d 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -s o -l output -d 'table: the live view (a terminal only); json or jsonl: one JSON line per refresh [default: table on a terminal, json lines otherwise]' -r -f -a "table\t''
json\t''
jsonl\t''"
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand watch" -l tls -d 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
complete -c dlq -n "__fish_dlq_using_subcommand watch" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand watch" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l to -d 'Send to TOPIC instead of the entry\'s origin topic' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l max-replays -d 'Refuse the entry if already replayed this many times [default: 3]' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l allow-target -d 'Send only to topics matching this glob (repeatable; adds to the context\'s `replay-targets`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -s b -l broker -d 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l timeout -d 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l group -d 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -s X -d 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat\'s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l sasl-mechanism -d 'Kafka SASL mechanism' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l sasl-username -d 'Kafka SASL user' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l password-file -d 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l ca-file -d 'TLS: the CA certificate(s) that sign the broker\'s certificate (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l cert-file -d 'Kafka TLS: client certificate for mutual TLS (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l key-file -d 'Kafka TLS: the client certificate\'s private key (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l token-file -d 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l oauth2-issuer-url -d 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l oauth2-credentials-file -d 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l oauth2-audience -d 'Pulsar OAuth2: the audience to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l oauth2-scope -d 'Pulsar OAuth2: the scope to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l admin-url -d 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l subscription -d 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l header-map -d 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l redact-field -d 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context\'s)' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l redact-pattern -d 'Also mask values matching this regex wherever they appear (repeatable)' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l redaction-policy -d 'A team\'s redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`, `fields`, `patterns` (see README, "Redaction")' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l redact-all-except -d 'Allow-list mode: mask every payload field, header value and the key except these names (repeatable; `key` shows the key, `payload` a payload that is not JSON)' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -s o -l output -d 'Output format of the summary [default: table on a terminal, json otherwise]' -r -f -a "table\t''
json\t''
jsonl\t''"
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l keep-partition -d 'Kafka: send to the original partition instead of letting the key decide'
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l keep-dlq-headers -d 'Keep the dead-letter context headers (__connect.errors.*, kafka_dlt-*, REAL_TOPIC, …)'
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l tls -d 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
complete -c dlq -n "__fish_dlq_using_subcommand edit" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c dlq -n "__fish_dlq_using_subcommand edit" -l dry-run -d 'Show the plan and what would be sent; change nothing'
complete -c dlq -n "__fish_dlq_using_subcommand edit" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand edit" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand topics" -s b -l broker -d 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l timeout -d 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l group -d 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -s X -d 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat\'s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l sasl-mechanism -d 'Kafka SASL mechanism' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l sasl-username -d 'Kafka SASL user' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l password-file -d 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l ca-file -d 'TLS: the CA certificate(s) that sign the broker\'s certificate (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l cert-file -d 'Kafka TLS: client certificate for mutual TLS (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l key-file -d 'Kafka TLS: the client certificate\'s private key (PEM)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l token-file -d 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l oauth2-issuer-url -d 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l oauth2-credentials-file -d 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it' -r -F
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l oauth2-audience -d 'Pulsar OAuth2: the audience to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l oauth2-scope -d 'Pulsar OAuth2: the scope to ask the token for' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l admin-url -d 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l subscription -d 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l pattern -d 'Also count topics whose name matches this glob (`*` matches anything; repeatable)' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l namespace -d 'Pulsar: the namespace to list [default: public/default]' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "table\t''
json\t''
jsonl\t''"
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand topics" -l tls -d 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)'
complete -c dlq -n "__fish_dlq_using_subcommand topics" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand topics" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand config; and not __fish_seen_subcommand_from list show use help" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand config; and not __fish_seen_subcommand_from list show use help" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand config; and not __fish_seen_subcommand_from list show use help" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand config; and not __fish_seen_subcommand_from list show use help" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand config; and not __fish_seen_subcommand_from list show use help" -f -a "list" -d 'List the contexts; * marks the one in force'
complete -c dlq -n "__fish_dlq_using_subcommand config; and not __fish_seen_subcommand_from list show use help" -f -a "show" -d 'Show a context (the one in force by default); passwords are not shown'
complete -c dlq -n "__fish_dlq_using_subcommand config; and not __fish_seen_subcommand_from list show use help" -f -a "use" -d 'Make NAME the current context'
complete -c dlq -n "__fish_dlq_using_subcommand config; and not __fish_seen_subcommand_from list show use help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from list" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from list" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from show" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from use" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from use" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from use" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from use" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the contexts; * marks the one in force'
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a context (the one in force by default); passwords are not shown'
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "use" -d 'Make NAME the current context'
complete -c dlq -n "__fish_dlq_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dlq -n "__fish_dlq_using_subcommand man" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand man" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand man" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand man" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand completions" -l context -d 'Use this context of the config file (see `dlq config`)' -r
complete -c dlq -n "__fish_dlq_using_subcommand completions" -l color -d 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c dlq -n "__fish_dlq_using_subcommand completions" -s v -l verbose -d 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)'
complete -c dlq -n "__fish_dlq_using_subcommand completions" -s h -l help -d 'Print help'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "list" -d 'List dead-letter entries with their context, one row each'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "inspect" -d 'Show one entry in full: headers, context, stack trace and payload (redacted by default)'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "replay" -d 'Send dead letters back to their origin topic (or --to); each is marked handled only after the broker confirmed its copy. On a main topic: rewind a consumer group or subscription to a time (--since with --group/--subscription), or copy a time window (--since … --to)'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "purge" -d 'Delete exactly the selected entries, after a backup (Kafka: DeleteRecords on a prefix of each partition; Pulsar: acknowledged on the operator subscription)'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "export" -d 'Write the selected entries as JSON Lines, unredacted, for backups or `replay --from-file`'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "stats" -d 'Summarise a DLQ: which failures, how many, since when'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "groups" -d 'Group a DLQ\'s entries by failure: which bugs, how many of each, since when, one example'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "check" -d 'Check DLQs against thresholds, for cron jobs and CI: exit 6 when one is crossed'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "watch" -d 'Watch DLQs live: size, arrivals and removals, the oldest entry, the top failures'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "edit" -d 'Repair one entry\'s payload in your editor, then replay the edited version once'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "topics" -d 'List the topics that look like DLQs, with their entry counts'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "config" -d 'Contexts in the config file: list them, show one, or choose the current one'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "man" -d 'Print the man page (roff)'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c dlq -n "__fish_dlq_using_subcommand help; and not __fish_seen_subcommand_from list inspect replay purge export stats groups check watch edit topics config man completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dlq -n "__fish_dlq_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "list" -d 'List the contexts; * marks the one in force'
complete -c dlq -n "__fish_dlq_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Show a context (the one in force by default); passwords are not shown'
complete -c dlq -n "__fish_dlq_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "use" -d 'Make NAME the current context'
