
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'dlq' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'dlq'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'dlq' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List dead-letter entries with their context, one row each')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show one entry in full: headers, context, stack trace and payload (redacted by default)')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send dead letters back to their origin topic (or --to); each is marked handled only after the broker confirmed its copy. On a main topic: rewind a consumer group or subscription to a time (--since with --group/--subscription), or copy a time window (--since … --to)')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete exactly the selected entries, after a backup (Kafka: DeleteRecords on a prefix of each partition; Pulsar: acknowledged on the operator subscription)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the selected entries as JSON Lines, unredacted, for backups or `replay --from-file`')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Summarise a DLQ: which failures, how many, since when')
            [CompletionResult]::new('groups', 'groups', [CompletionResultType]::ParameterValue, 'Group a DLQ''s entries by failure: which bugs, how many of each, since when, one example')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check DLQs against thresholds, for cron jobs and CI: exit 6 when one is crossed')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Watch DLQs live: size, arrivals and removals, the oldest entry, the top failures')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Repair one entry''s payload in your editor, then replay the edited version once')
            [CompletionResult]::new('topics', 'topics', [CompletionResultType]::ParameterValue, 'List the topics that look like DLQs, with their entry counts')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Contexts in the config file: list them, show one, or choose the current one')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dlq;list' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file')
            [CompletionResult]::new('--sasl-mechanism', '--sasl-mechanism', [CompletionResultType]::ParameterName, 'Kafka SASL mechanism')
            [CompletionResult]::new('--sasl-username', '--sasl-username', [CompletionResultType]::ParameterName, 'Kafka SASL user')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Kafka TLS: client certificate for mutual TLS (PEM)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Kafka TLS: the client certificate''s private key (PEM)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)')
            [CompletionResult]::new('--oauth2-issuer-url', '--oauth2-issuer-url', [CompletionResultType]::ParameterName, 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)')
            [CompletionResult]::new('--oauth2-credentials-file', '--oauth2-credentials-file', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it')
            [CompletionResult]::new('--oauth2-audience', '--oauth2-audience', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the audience to ask the token for')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the scope to ask the token for')
            [CompletionResult]::new('--admin-url', '--admin-url', [CompletionResultType]::ParameterName, 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only entries written before TIME (same forms as --since)')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Only these DLQ partitions (repeat or separate with commas)')
            [CompletionResult]::new('--grep', '--grep', [CompletionResultType]::ParameterName, 'Only entries whose error class, message or stack trace matches REGEX')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Only entries whose origin topic is TOPIC')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only entries whose key is exactly KEY')
            [CompletionResult]::new('--fingerprint', '--fingerprint', [CompletionResultType]::ParameterName, 'Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show; repeat or separate with commas)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`, `headers_all` and the context (`error_class`, `error_message`, `origin_topic`, `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`, `fingerprint`, `partition`), e.g. ''payload.customer.tier == "gold" && retry_count > 2''')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Stop after N matching entries')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]')
            [CompletionResult]::new('--header-map', '--header-map', [CompletionResultType]::ParameterName, 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, jsonl otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, jsonl otherwise]')
            [CompletionResult]::new('--redact-field', '--redact-field', [CompletionResultType]::ParameterName, 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context''s)')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Also mask values matching this regex wherever they appear (repeatable)')
            [CompletionResult]::new('--redaction-policy', '--redaction-policy', [CompletionResultType]::ParameterName, 'A team''s redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`, `fields`, `patterns` (see README, "Redaction")')
            [CompletionResult]::new('--redact-all-except', '--redact-all-except', [CompletionResultType]::ParameterName, 'Allow-list mode: mask every payload field, header value and the key except these names (repeatable; `key` shows the key, `payload` a payload that is not JSON)')
            [CompletionResult]::new('--decode', '--decode', [CompletionResultType]::ParameterName, 'How to read payloads [default: auto: the registry wire format (with --schema-registry), a Pulsar topic schema, an Avro container file, Avro with --value-schema, JSON, text, then binary]. Keys are read as Avro only with --key-schema or the registry. `export` adds decoded copies only when asked (this flag, a schema or a registry)')
            [CompletionResult]::new('--value-schema', '--value-schema', [CompletionResultType]::ParameterName, 'Avro schema (.avsc) of the payloads: a raw datum, or single-object encoding')
            [CompletionResult]::new('--key-schema', '--key-schema', [CompletionResultType]::ParameterName, 'Avro schema (.avsc) of the keys')
            [CompletionResult]::new('--schema-registry', '--schema-registry', [CompletionResultType]::ParameterName, 'Schema registry for the wire format (magic byte 0 + 4-byte schema id)')
            [CompletionResult]::new('--schema-registry-user', '--schema-registry-user', [CompletionResultType]::ParameterName, 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file')
            [CompletionResult]::new('--schema-registry-password-file', '--schema-registry-password-file', [CompletionResultType]::ParameterName, 'Schema registry password, read from FILE')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--include-handled', '--include-handled', [CompletionResultType]::ParameterName, 'Include entries already handled (replayed or purged) that the broker still retains')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Deprecated spelling of --include-handled (on replay and purge, --all accepts an unfiltered selection)')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show keys, payloads and headers unredacted (prints a warning)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;inspect' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file')
            [CompletionResult]::new('--sasl-mechanism', '--sasl-mechanism', [CompletionResultType]::ParameterName, 'Kafka SASL mechanism')
            [CompletionResult]::new('--sasl-username', '--sasl-username', [CompletionResultType]::ParameterName, 'Kafka SASL user')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Kafka TLS: client certificate for mutual TLS (PEM)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Kafka TLS: the client certificate''s private key (PEM)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)')
            [CompletionResult]::new('--oauth2-issuer-url', '--oauth2-issuer-url', [CompletionResultType]::ParameterName, 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)')
            [CompletionResult]::new('--oauth2-credentials-file', '--oauth2-credentials-file', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it')
            [CompletionResult]::new('--oauth2-audience', '--oauth2-audience', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the audience to ask the token for')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the scope to ask the token for')
            [CompletionResult]::new('--admin-url', '--admin-url', [CompletionResultType]::ParameterName, 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind')
            [CompletionResult]::new('--header-map', '--header-map', [CompletionResultType]::ParameterName, 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, jsonl otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, jsonl otherwise]')
            [CompletionResult]::new('--redact-field', '--redact-field', [CompletionResultType]::ParameterName, 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context''s)')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Also mask values matching this regex wherever they appear (repeatable)')
            [CompletionResult]::new('--redaction-policy', '--redaction-policy', [CompletionResultType]::ParameterName, 'A team''s redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`, `fields`, `patterns` (see README, "Redaction")')
            [CompletionResult]::new('--redact-all-except', '--redact-all-except', [CompletionResultType]::ParameterName, 'Allow-list mode: mask every payload field, header value and the key except these names (repeatable; `key` shows the key, `payload` a payload that is not JSON)')
            [CompletionResult]::new('--decode', '--decode', [CompletionResultType]::ParameterName, 'How to read payloads [default: auto: the registry wire format (with --schema-registry), a Pulsar topic schema, an Avro container file, Avro with --value-schema, JSON, text, then binary]. Keys are read as Avro only with --key-schema or the registry. `export` adds decoded copies only when asked (this flag, a schema or a registry)')
            [CompletionResult]::new('--value-schema', '--value-schema', [CompletionResultType]::ParameterName, 'Avro schema (.avsc) of the payloads: a raw datum, or single-object encoding')
            [CompletionResult]::new('--key-schema', '--key-schema', [CompletionResultType]::ParameterName, 'Avro schema (.avsc) of the keys')
            [CompletionResult]::new('--schema-registry', '--schema-registry', [CompletionResultType]::ParameterName, 'Schema registry for the wire format (magic byte 0 + 4-byte schema id)')
            [CompletionResult]::new('--schema-registry-user', '--schema-registry-user', [CompletionResultType]::ParameterName, 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file')
            [CompletionResult]::new('--schema-registry-password-file', '--schema-registry-password-file', [CompletionResultType]::ParameterName, 'Schema registry password, read from FILE')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show keys, payloads and headers unredacted (prints a warning)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;replay' {
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'Publish the entries of a `dlq export` file or a purge backup, as they were, to the DLQ topic they came from (or --to)')
            [CompletionResult]::new('--redact-field', '--redact-field', [CompletionResultType]::ParameterName, 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context''s)')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Also mask values matching this regex wherever they appear (repeatable)')
            [CompletionResult]::new('--redaction-policy', '--redaction-policy', [CompletionResultType]::ParameterName, 'A team''s redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`, `fields`, `patterns` (see README, "Redaction")')
            [CompletionResult]::new('--redact-all-except', '--redact-all-except', [CompletionResultType]::ParameterName, 'Allow-list mode: mask every payload field, header value and the key except these names (repeatable; `key` shows the key, `payload` a payload that is not JSON)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file')
            [CompletionResult]::new('--sasl-mechanism', '--sasl-mechanism', [CompletionResultType]::ParameterName, 'Kafka SASL mechanism')
            [CompletionResult]::new('--sasl-username', '--sasl-username', [CompletionResultType]::ParameterName, 'Kafka SASL user')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Kafka TLS: client certificate for mutual TLS (PEM)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Kafka TLS: the client certificate''s private key (PEM)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)')
            [CompletionResult]::new('--oauth2-issuer-url', '--oauth2-issuer-url', [CompletionResultType]::ParameterName, 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)')
            [CompletionResult]::new('--oauth2-credentials-file', '--oauth2-credentials-file', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it')
            [CompletionResult]::new('--oauth2-audience', '--oauth2-audience', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the audience to ask the token for')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the scope to ask the token for')
            [CompletionResult]::new('--admin-url', '--admin-url', [CompletionResultType]::ParameterName, 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only entries written before TIME (same forms as --since)')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Only these DLQ partitions (repeat or separate with commas)')
            [CompletionResult]::new('--grep', '--grep', [CompletionResultType]::ParameterName, 'Only entries whose error class, message or stack trace matches REGEX')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Only entries whose origin topic is TOPIC')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only entries whose key is exactly KEY')
            [CompletionResult]::new('--fingerprint', '--fingerprint', [CompletionResultType]::ParameterName, 'Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show; repeat or separate with commas)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`, `headers_all` and the context (`error_class`, `error_message`, `origin_topic`, `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`, `fingerprint`, `partition`), e.g. ''payload.customer.tier == "gold" && retry_count > 2''')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Stop after N matching entries')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Only this entry, as `dlq list` prints its id (repeatable)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Send to TOPIC instead of each entry''s origin topic')
            [CompletionResult]::new('--max-replays', '--max-replays', [CompletionResultType]::ParameterName, 'Refuse entries already replayed this many times (their dlq-replay-count), as likely loops [default: 3]')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Send at most N messages per second')
            [CompletionResult]::new('--allow-target', '--allow-target', [CompletionResultType]::ParameterName, 'Send only to topics matching this glob (repeatable; adds to the context''s `replay-targets`): any other target is refused before anything is sent')
            [CompletionResult]::new('--patch', '--patch', [CompletionResultType]::ParameterName, 'Repair each payload before sending: a jq program run on its JSON value (e.g. ''.customer_id = .customerId | del(.customerId)''); entries it fails on are skipped. The copy carries dlq-patched (a hash of the program). Preview with --dry-run')
            [CompletionResult]::new('--patch-file', '--patch-file', [CompletionResultType]::ParameterName, 'As --patch, the program read from FILE; a JSON array there is an RFC 6902 JSON Patch')
            [CompletionResult]::new('--value-schema', '--value-schema', [CompletionResultType]::ParameterName, '--patch: the Avro schema (.avsc) the payloads were written with (a raw datum, or single-object encoding): the patched value is written back with it')
            [CompletionResult]::new('--schema-registry', '--schema-registry', [CompletionResultType]::ParameterName, '--patch: the schema registry for payloads in its wire format (the patched value is written back with the same schema id)')
            [CompletionResult]::new('--schema-registry-user', '--schema-registry-user', [CompletionResultType]::ParameterName, 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file')
            [CompletionResult]::new('--schema-registry-password-file', '--schema-registry-password-file', [CompletionResultType]::ParameterName, 'Schema registry password, read from FILE')
            [CompletionResult]::new('--canary', '--canary', [CompletionResultType]::ParameterName, 'Send N entries first, wait (--canary-wait), and stop (exit 3) if any comes back to the DLQ as a new dead letter; otherwise ask, then send the rest')
            [CompletionResult]::new('--canary-wait', '--canary-wait', [CompletionResultType]::ParameterName, 'How long --canary waits for its entries to fail again [default: 30s]')
            [CompletionResult]::new('--restore-positions', '--restore-positions', [CompletionResultType]::ParameterName, 'Rewind: put the group or subscription back to the positions a rewind saved in FILE (the path every rewind prints), with the same plan, confirmation and activity check')
            [CompletionResult]::new('--save-positions', '--save-positions', [CompletionResultType]::ParameterName, 'Rewind: where to save the positions from before the change [default: $XDG_STATE_HOME/dlq/positions/CONSUMER@TOPIC-TIME.json]')
            [CompletionResult]::new('--header-map', '--header-map', [CompletionResultType]::ParameterName, 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Summary format [default: text on a terminal, one JSON document otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Summary format [default: text on a terminal, one JSON document otherwise]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every entry not yet handled (required when no filter or --id narrows the selection)')
            [CompletionResult]::new('--keep-partition', '--keep-partition', [CompletionResultType]::ParameterName, 'Kafka: send to the original partition instead of letting the key decide')
            [CompletionResult]::new('--keep-dlq-headers', '--keep-dlq-headers', [CompletionResultType]::ParameterName, 'Keep the dead-letter context headers (__connect.errors.*, kafka_dlt-*, REAL_TOPIC, …)')
            [CompletionResult]::new('--no-schema-check', '--no-schema-check', [CompletionResultType]::ParameterName, 'With a schema registry, every copy must be readable with its target''s latest TOPIC-value schema (others are skipped); this turns that check off')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'Replay as one member of the operator group: run the same command in several processes and the broker''s group protocol shares the partitions among them (Kafka consumer group, Pulsar Failover subscription). Needs -y; no --dry-run')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no plan, no progress bar)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no plan, no progress bar)')
            [CompletionResult]::new('--assume-inactive', '--assume-inactive', [CompletionResultType]::ParameterName, 'Rewind: proceed even where the broker cannot tell whether the group has active members (you have stopped its consumers)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and what would be sent; change nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;purge' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file')
            [CompletionResult]::new('--sasl-mechanism', '--sasl-mechanism', [CompletionResultType]::ParameterName, 'Kafka SASL mechanism')
            [CompletionResult]::new('--sasl-username', '--sasl-username', [CompletionResultType]::ParameterName, 'Kafka SASL user')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Kafka TLS: client certificate for mutual TLS (PEM)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Kafka TLS: the client certificate''s private key (PEM)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)')
            [CompletionResult]::new('--oauth2-issuer-url', '--oauth2-issuer-url', [CompletionResultType]::ParameterName, 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)')
            [CompletionResult]::new('--oauth2-credentials-file', '--oauth2-credentials-file', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it')
            [CompletionResult]::new('--oauth2-audience', '--oauth2-audience', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the audience to ask the token for')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the scope to ask the token for')
            [CompletionResult]::new('--admin-url', '--admin-url', [CompletionResultType]::ParameterName, 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only entries written before TIME (same forms as --since)')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Only these DLQ partitions (repeat or separate with commas)')
            [CompletionResult]::new('--grep', '--grep', [CompletionResultType]::ParameterName, 'Only entries whose error class, message or stack trace matches REGEX')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Only entries whose origin topic is TOPIC')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only entries whose key is exactly KEY')
            [CompletionResult]::new('--fingerprint', '--fingerprint', [CompletionResultType]::ParameterName, 'Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show; repeat or separate with commas)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`, `headers_all` and the context (`error_class`, `error_message`, `origin_topic`, `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`, `fingerprint`, `partition`), e.g. ''payload.customer.tier == "gold" && retry_count > 2''')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Stop after N matching entries')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Only this entry, as `dlq list` prints its id (repeatable)')
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Only the prefix of each partition older than TIME (same forms as --since)')
            [CompletionResult]::new('--backup', '--backup', [CompletionResultType]::ParameterName, 'Write the backup here [default: $XDG_STATE_HOME/dlq/backups/TOPIC-TIME.jsonl]')
            [CompletionResult]::new('--header-map', '--header-map', [CompletionResultType]::ParameterName, 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Summary format [default: text on a terminal, one JSON document otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Summary format [default: text on a terminal, one JSON document otherwise]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every entry not yet handled (required when nothing else narrows the selection)')
            [CompletionResult]::new('--mark-handled', '--mark-handled', [CompletionResultType]::ParameterName, 'Kafka: move the operator group past the selected prefix instead of deleting records')
            [CompletionResult]::new('--no-backup', '--no-backup', [CompletionResultType]::ParameterName, 'Purge without writing a backup first')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and what would be sent; change nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;export' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file')
            [CompletionResult]::new('--sasl-mechanism', '--sasl-mechanism', [CompletionResultType]::ParameterName, 'Kafka SASL mechanism')
            [CompletionResult]::new('--sasl-username', '--sasl-username', [CompletionResultType]::ParameterName, 'Kafka SASL user')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Kafka TLS: client certificate for mutual TLS (PEM)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Kafka TLS: the client certificate''s private key (PEM)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)')
            [CompletionResult]::new('--oauth2-issuer-url', '--oauth2-issuer-url', [CompletionResultType]::ParameterName, 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)')
            [CompletionResult]::new('--oauth2-credentials-file', '--oauth2-credentials-file', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it')
            [CompletionResult]::new('--oauth2-audience', '--oauth2-audience', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the audience to ask the token for')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the scope to ask the token for')
            [CompletionResult]::new('--admin-url', '--admin-url', [CompletionResultType]::ParameterName, 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only entries written before TIME (same forms as --since)')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Only these DLQ partitions (repeat or separate with commas)')
            [CompletionResult]::new('--grep', '--grep', [CompletionResultType]::ParameterName, 'Only entries whose error class, message or stack trace matches REGEX')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Only entries whose origin topic is TOPIC')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only entries whose key is exactly KEY')
            [CompletionResult]::new('--fingerprint', '--fingerprint', [CompletionResultType]::ParameterName, 'Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show; repeat or separate with commas)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`, `headers_all` and the context (`error_class`, `error_message`, `origin_topic`, `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`, `fingerprint`, `partition`), e.g. ''payload.customer.tier == "gold" && retry_count > 2''')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Stop after N matching entries')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Only this entry (repeatable)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write to FILE (created, never overwritten; readable by you only) instead of stdout')
            [CompletionResult]::new('--header-map', '--header-map', [CompletionResultType]::ParameterName, 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at')
            [CompletionResult]::new('--redact-field', '--redact-field', [CompletionResultType]::ParameterName, 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context''s)')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Also mask values matching this regex wherever they appear (repeatable)')
            [CompletionResult]::new('--redaction-policy', '--redaction-policy', [CompletionResultType]::ParameterName, 'A team''s redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`, `fields`, `patterns` (see README, "Redaction")')
            [CompletionResult]::new('--redact-all-except', '--redact-all-except', [CompletionResultType]::ParameterName, 'Allow-list mode: mask every payload field, header value and the key except these names (repeatable; `key` shows the key, `payload` a payload that is not JSON)')
            [CompletionResult]::new('--decode', '--decode', [CompletionResultType]::ParameterName, 'How to read payloads [default: auto: the registry wire format (with --schema-registry), a Pulsar topic schema, an Avro container file, Avro with --value-schema, JSON, text, then binary]. Keys are read as Avro only with --key-schema or the registry. `export` adds decoded copies only when asked (this flag, a schema or a registry)')
            [CompletionResult]::new('--value-schema', '--value-schema', [CompletionResultType]::ParameterName, 'Avro schema (.avsc) of the payloads: a raw datum, or single-object encoding')
            [CompletionResult]::new('--key-schema', '--key-schema', [CompletionResultType]::ParameterName, 'Avro schema (.avsc) of the keys')
            [CompletionResult]::new('--schema-registry', '--schema-registry', [CompletionResultType]::ParameterName, 'Schema registry for the wire format (magic byte 0 + 4-byte schema id)')
            [CompletionResult]::new('--schema-registry-user', '--schema-registry-user', [CompletionResultType]::ParameterName, 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file')
            [CompletionResult]::new('--schema-registry-password-file', '--schema-registry-password-file', [CompletionResultType]::ParameterName, 'Schema registry password, read from FILE')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)')
            [CompletionResult]::new('--include-handled', '--include-handled', [CompletionResultType]::ParameterName, 'Include entries already handled (replayed or purged) that the broker still retains')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Deprecated spelling of --include-handled (on replay and purge, --all accepts an unfiltered selection)')
            [CompletionResult]::new('--redact', '--redact', [CompletionResultType]::ParameterName, 'Mask keys, headers, payloads and the context as `inspect` does (the built-in rules, a policy, --redact-* flags), for sharing; such a file cannot be replayed')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;stats' {
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The chart of arrivals: entries per DURATION (e.g. 5m, 1h, 1d) [default: chosen from the time range, about 48 bars]')
            [CompletionResult]::new('--chart-failures', '--chart-failures', [CompletionResultType]::ParameterName, 'Also a chart of arrivals for each of the N most frequent failures (fingerprints), on the same time axis; `arrivals_by_failure` in JSON')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file')
            [CompletionResult]::new('--sasl-mechanism', '--sasl-mechanism', [CompletionResultType]::ParameterName, 'Kafka SASL mechanism')
            [CompletionResult]::new('--sasl-username', '--sasl-username', [CompletionResultType]::ParameterName, 'Kafka SASL user')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Kafka TLS: client certificate for mutual TLS (PEM)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Kafka TLS: the client certificate''s private key (PEM)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)')
            [CompletionResult]::new('--oauth2-issuer-url', '--oauth2-issuer-url', [CompletionResultType]::ParameterName, 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)')
            [CompletionResult]::new('--oauth2-credentials-file', '--oauth2-credentials-file', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it')
            [CompletionResult]::new('--oauth2-audience', '--oauth2-audience', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the audience to ask the token for')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the scope to ask the token for')
            [CompletionResult]::new('--admin-url', '--admin-url', [CompletionResultType]::ParameterName, 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only entries written before TIME (same forms as --since)')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Only these DLQ partitions (repeat or separate with commas)')
            [CompletionResult]::new('--grep', '--grep', [CompletionResultType]::ParameterName, 'Only entries whose error class, message or stack trace matches REGEX')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Only entries whose origin topic is TOPIC')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only entries whose key is exactly KEY')
            [CompletionResult]::new('--fingerprint', '--fingerprint', [CompletionResultType]::ParameterName, 'Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show; repeat or separate with commas)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`, `headers_all` and the context (`error_class`, `error_message`, `origin_topic`, `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`, `fingerprint`, `partition`), e.g. ''payload.customer.tier == "gold" && retry_count > 2''')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Stop after N matching entries')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]')
            [CompletionResult]::new('--header-map', '--header-map', [CompletionResultType]::ParameterName, 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]; `openmetrics` and `prometheus` write the counts as metrics for a scraper or a textfile collector')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]; `openmetrics` and `prometheus` write the counts as metrics for a scraper or a textfile collector')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--include-handled', '--include-handled', [CompletionResultType]::ParameterName, 'Include entries already handled (replayed or purged) that the broker still retains')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Deprecated spelling of --include-handled (on replay and purge, --all accepts an unfiltered selection)')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;groups' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file')
            [CompletionResult]::new('--sasl-mechanism', '--sasl-mechanism', [CompletionResultType]::ParameterName, 'Kafka SASL mechanism')
            [CompletionResult]::new('--sasl-username', '--sasl-username', [CompletionResultType]::ParameterName, 'Kafka SASL user')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Kafka TLS: client certificate for mutual TLS (PEM)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Kafka TLS: the client certificate''s private key (PEM)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)')
            [CompletionResult]::new('--oauth2-issuer-url', '--oauth2-issuer-url', [CompletionResultType]::ParameterName, 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)')
            [CompletionResult]::new('--oauth2-credentials-file', '--oauth2-credentials-file', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it')
            [CompletionResult]::new('--oauth2-audience', '--oauth2-audience', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the audience to ask the token for')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the scope to ask the token for')
            [CompletionResult]::new('--admin-url', '--admin-url', [CompletionResultType]::ParameterName, 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only entries written before TIME (same forms as --since)')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Only these DLQ partitions (repeat or separate with commas)')
            [CompletionResult]::new('--grep', '--grep', [CompletionResultType]::ParameterName, 'Only entries whose error class, message or stack trace matches REGEX')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Only entries whose origin topic is TOPIC')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only entries whose key is exactly KEY')
            [CompletionResult]::new('--fingerprint', '--fingerprint', [CompletionResultType]::ParameterName, 'Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show; repeat or separate with commas)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`, `headers_all` and the context (`error_class`, `error_message`, `origin_topic`, `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`, `fingerprint`, `partition`), e.g. ''payload.customer.tier == "gold" && retry_count > 2''')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Stop after N matching entries')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]')
            [CompletionResult]::new('--header-map', '--header-map', [CompletionResultType]::ParameterName, 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, jsonl otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, jsonl otherwise]')
            [CompletionResult]::new('--redact-field', '--redact-field', [CompletionResultType]::ParameterName, 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context''s)')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Also mask values matching this regex wherever they appear (repeatable)')
            [CompletionResult]::new('--redaction-policy', '--redaction-policy', [CompletionResultType]::ParameterName, 'A team''s redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`, `fields`, `patterns` (see README, "Redaction")')
            [CompletionResult]::new('--redact-all-except', '--redact-all-except', [CompletionResultType]::ParameterName, 'Allow-list mode: mask every payload field, header value and the key except these names (repeatable; `key` shows the key, `payload` a payload that is not JSON)')
            [CompletionResult]::new('--decode', '--decode', [CompletionResultType]::ParameterName, 'How to read payloads [default: auto: the registry wire format (with --schema-registry), a Pulsar topic schema, an Avro container file, Avro with --value-schema, JSON, text, then binary]. Keys are read as Avro only with --key-schema or the registry. `export` adds decoded copies only when asked (this flag, a schema or a registry)')
            [CompletionResult]::new('--value-schema', '--value-schema', [CompletionResultType]::ParameterName, 'Avro schema (.avsc) of the payloads: a raw datum, or single-object encoding')
            [CompletionResult]::new('--key-schema', '--key-schema', [CompletionResultType]::ParameterName, 'Avro schema (.avsc) of the keys')
            [CompletionResult]::new('--schema-registry', '--schema-registry', [CompletionResultType]::ParameterName, 'Schema registry for the wire format (magic byte 0 + 4-byte schema id)')
            [CompletionResult]::new('--schema-registry-user', '--schema-registry-user', [CompletionResultType]::ParameterName, 'Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file')
            [CompletionResult]::new('--schema-registry-password-file', '--schema-registry-password-file', [CompletionResultType]::ParameterName, 'Schema registry password, read from FILE')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--include-handled', '--include-handled', [CompletionResultType]::ParameterName, 'Include entries already handled (replayed or purged) that the broker still retains')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show keys, payloads and headers unredacted (prints a warning)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;check' {
            [CompletionResult]::new('--max-entries', '--max-entries', [CompletionResultType]::ParameterName, 'At most N unhandled entries')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'The oldest unhandled entry at most this old (e.g. 30m, 1h, 2d)')
            [CompletionResult]::new('--max-rate', '--max-rate', [CompletionResultType]::ParameterName, 'At most N entries written in the last minute: N/min (or N/s, N/h)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file')
            [CompletionResult]::new('--sasl-mechanism', '--sasl-mechanism', [CompletionResultType]::ParameterName, 'Kafka SASL mechanism')
            [CompletionResult]::new('--sasl-username', '--sasl-username', [CompletionResultType]::ParameterName, 'Kafka SASL user')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Kafka TLS: client certificate for mutual TLS (PEM)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Kafka TLS: the client certificate''s private key (PEM)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)')
            [CompletionResult]::new('--oauth2-issuer-url', '--oauth2-issuer-url', [CompletionResultType]::ParameterName, 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)')
            [CompletionResult]::new('--oauth2-credentials-file', '--oauth2-credentials-file', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it')
            [CompletionResult]::new('--oauth2-audience', '--oauth2-audience', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the audience to ask the token for')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the scope to ask the token for')
            [CompletionResult]::new('--admin-url', '--admin-url', [CompletionResultType]::ParameterName, 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;watch' {
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'How often to refresh (e.g. 5s, 1m)')
            [CompletionResult]::new('--serve', '--serve', [CompletionResultType]::ParameterName, 'Serve /metrics and /healthz over HTTP at ADDR: PORT (on 127.0.0.1) or HOST:PORT')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Failures shown per DLQ')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file')
            [CompletionResult]::new('--sasl-mechanism', '--sasl-mechanism', [CompletionResultType]::ParameterName, 'Kafka SASL mechanism')
            [CompletionResult]::new('--sasl-username', '--sasl-username', [CompletionResultType]::ParameterName, 'Kafka SASL user')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Kafka TLS: client certificate for mutual TLS (PEM)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Kafka TLS: the client certificate''s private key (PEM)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)')
            [CompletionResult]::new('--oauth2-issuer-url', '--oauth2-issuer-url', [CompletionResultType]::ParameterName, 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)')
            [CompletionResult]::new('--oauth2-credentials-file', '--oauth2-credentials-file', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it')
            [CompletionResult]::new('--oauth2-audience', '--oauth2-audience', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the audience to ask the token for')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the scope to ask the token for')
            [CompletionResult]::new('--admin-url', '--admin-url', [CompletionResultType]::ParameterName, 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind')
            [CompletionResult]::new('--header-map', '--header-map', [CompletionResultType]::ParameterName, 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'table: the live view (a terminal only); json or jsonl: one JSON line per refresh [default: table on a terminal, json lines otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'table: the live view (a terminal only); json or jsonl: one JSON line per refresh [default: table on a terminal, json lines otherwise]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;edit' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Send to TOPIC instead of the entry''s origin topic')
            [CompletionResult]::new('--max-replays', '--max-replays', [CompletionResultType]::ParameterName, 'Refuse the entry if already replayed this many times [default: 3]')
            [CompletionResult]::new('--allow-target', '--allow-target', [CompletionResultType]::ParameterName, 'Send only to topics matching this glob (repeatable; adds to the context''s `replay-targets`)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file')
            [CompletionResult]::new('--sasl-mechanism', '--sasl-mechanism', [CompletionResultType]::ParameterName, 'Kafka SASL mechanism')
            [CompletionResult]::new('--sasl-username', '--sasl-username', [CompletionResultType]::ParameterName, 'Kafka SASL user')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Kafka TLS: client certificate for mutual TLS (PEM)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Kafka TLS: the client certificate''s private key (PEM)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)')
            [CompletionResult]::new('--oauth2-issuer-url', '--oauth2-issuer-url', [CompletionResultType]::ParameterName, 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)')
            [CompletionResult]::new('--oauth2-credentials-file', '--oauth2-credentials-file', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it')
            [CompletionResult]::new('--oauth2-audience', '--oauth2-audience', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the audience to ask the token for')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the scope to ask the token for')
            [CompletionResult]::new('--admin-url', '--admin-url', [CompletionResultType]::ParameterName, 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind')
            [CompletionResult]::new('--header-map', '--header-map', [CompletionResultType]::ParameterName, 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at')
            [CompletionResult]::new('--redact-field', '--redact-field', [CompletionResultType]::ParameterName, 'Also mask this JSON field or header name whole, in any spelling (order_ref matches orderRef) (repeatable; adds to the built-in rules and the context''s)')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Also mask values matching this regex wherever they appear (repeatable)')
            [CompletionResult]::new('--redaction-policy', '--redaction-policy', [CompletionResultType]::ParameterName, 'A team''s redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`, `fields`, `patterns` (see README, "Redaction")')
            [CompletionResult]::new('--redact-all-except', '--redact-all-except', [CompletionResultType]::ParameterName, 'Allow-list mode: mask every payload field, header value and the key except these names (repeatable; `key` shows the key, `payload` a payload that is not JSON)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of the summary [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the summary [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--keep-partition', '--keep-partition', [CompletionResultType]::ParameterName, 'Kafka: send to the original partition instead of letting the key decide')
            [CompletionResult]::new('--keep-dlq-headers', '--keep-dlq-headers', [CompletionResultType]::ParameterName, 'Keep the dead-letter context headers (__connect.errors.*, kafka_dlt-*, REAL_TOPIC, …)')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and what would be sent; change nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;topics' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on an unresponsive broker after this long (exit code 4) [default: 10s]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat''s -X. Secrets here are visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file')
            [CompletionResult]::new('--sasl-mechanism', '--sasl-mechanism', [CompletionResultType]::ParameterName, 'Kafka SASL mechanism')
            [CompletionResult]::new('--sasl-username', '--sasl-username', [CompletionResultType]::ParameterName, 'Kafka SASL user')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag, so `ps` never shows it')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'TLS: the CA certificate(s) that sign the broker''s certificate (PEM)')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Kafka TLS: client certificate for mutual TLS (PEM)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Kafka TLS: the client certificate''s private key (PEM)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)')
            [CompletionResult]::new('--oauth2-issuer-url', '--oauth2-issuer-url', [CompletionResultType]::ParameterName, 'Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration` names the token endpoint)')
            [CompletionResult]::new('--oauth2-credentials-file', '--oauth2-credentials-file', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin and pulsarctl take it')
            [CompletionResult]::new('--oauth2-audience', '--oauth2-audience', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the audience to ask the token for')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'Pulsar OAuth2: the scope to ask the token for')
            [CompletionResult]::new('--admin-url', '--admin-url', [CompletionResultType]::ParameterName, 'Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default: http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the subscription to rewind')
            [CompletionResult]::new('--pattern', '--pattern', [CompletionResultType]::ParameterName, 'Also count topics whose name matches this glob (`*` matches anything; repeatable)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Pulsar: the namespace to list [default: public/default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS (implied by --ca-file, --cert-file and --key-file)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;config' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the contexts; * marks the one in force')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a context (the one in force by default); passwords are not shown')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make NAME the current context')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dlq;config;list' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;config;show' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;config;use' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;config;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the contexts; * marks the one in force')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a context (the one in force by default); passwords are not shown')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make NAME the current context')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dlq;config;help;list' {
            break
        }
        'dlq;config;help;show' {
            break
        }
        'dlq;config;help;use' {
            break
        }
        'dlq;config;help;help' {
            break
        }
        'dlq;man' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;completions' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Use this context of the config file (see `dlq config`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status; never payloads or secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'dlq;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List dead-letter entries with their context, one row each')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show one entry in full: headers, context, stack trace and payload (redacted by default)')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send dead letters back to their origin topic (or --to); each is marked handled only after the broker confirmed its copy. On a main topic: rewind a consumer group or subscription to a time (--since with --group/--subscription), or copy a time window (--since … --to)')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete exactly the selected entries, after a backup (Kafka: DeleteRecords on a prefix of each partition; Pulsar: acknowledged on the operator subscription)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the selected entries as JSON Lines, unredacted, for backups or `replay --from-file`')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Summarise a DLQ: which failures, how many, since when')
            [CompletionResult]::new('groups', 'groups', [CompletionResultType]::ParameterValue, 'Group a DLQ''s entries by failure: which bugs, how many of each, since when, one example')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check DLQs against thresholds, for cron jobs and CI: exit 6 when one is crossed')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Watch DLQs live: size, arrivals and removals, the oldest entry, the top failures')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Repair one entry''s payload in your editor, then replay the edited version once')
            [CompletionResult]::new('topics', 'topics', [CompletionResultType]::ParameterValue, 'List the topics that look like DLQs, with their entry counts')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Contexts in the config file: list them, show one, or choose the current one')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dlq;help;list' {
            break
        }
        'dlq;help;inspect' {
            break
        }
        'dlq;help;replay' {
            break
        }
        'dlq;help;purge' {
            break
        }
        'dlq;help;export' {
            break
        }
        'dlq;help;stats' {
            break
        }
        'dlq;help;groups' {
            break
        }
        'dlq;help;check' {
            break
        }
        'dlq;help;watch' {
            break
        }
        'dlq;help;edit' {
            break
        }
        'dlq;help;topics' {
            break
        }
        'dlq;help;config' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the contexts; * marks the one in force')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a context (the one in force by default); passwords are not shown')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make NAME the current context')
            break
        }
        'dlq;help;config;list' {
            break
        }
        'dlq;help;config;show' {
            break
        }
        'dlq;help;config;use' {
            break
        }
        'dlq;help;man' {
            break
        }
        'dlq;help;completions' {
            break
        }
        'dlq;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
